// POST /api/steer-chat: a chat reply with and without steering (upstream app/api/steer-chat).
// Cached like completions, keyed by the md5 of each conversation as JSON `[{content, role}]`;
// the STEERED output is saved pointing at the DEFAULT one shown beside it, so steer-load can
// show both.
import { createId } from '@paralleldrive/cuid2';
import {
  ERROR_STEER_MAX_PROMPT_CHARS,
  LARGE_LLM_MODELS,
  STEER_MAX_PROMPT_CHARS,
  STEER_MAX_PROMPT_CHARS_ASSISTANT_AXIS,
  STEER_MAX_PROMPT_CHARS_THINKING,
  STEER_N_LOGPROBS,
  STEER_N_TOKENS_MAX,
  STEER_N_TOKENS_MAX_ASSISTANT_AXIS,
  STEER_N_TOKENS_MAX_LARGE_LLM,
  STEER_N_TOKENS_MAX_THINKING,
} from '../../constants.js';
import { findSavedOutputs, saveSteerOutputs, type SteeringFeature } from '../../db/queries/steer-outputs.js';
import type { SteerOutputType } from '../../db/schema/index.js';
import { InvalidInput } from '../../errors.js';
import { inferenceModelName, readableModel } from '../access/inference-access.js';
import type { Viewer } from '../access/viewer.js';
import type { PreparedSteer, SteerServices } from './completion.js';
import { mergeStreams } from './merge-streams.js';
import {
  md5,
  normalizeLogprobs,
  parseLogprobs,
  runOutputType,
  settingsKeyOf,
  shareUrlOf,
  type Logprob,
  type SteerSettings,
} from './steer-common.js';
import { resolveSteering } from './steer-features.js';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatRequest extends SteerSettings {
  defaultChatMessages: ChatMessage[];
  steeredChatMessages: ChatMessage[];
  modelId: string;
  features: SteeringFeature[];
  steer_special_tokens: boolean;
  stream: boolean;
  isAssistantAxis: boolean;
}

export interface ChatOutput {
  raw: string;
  chatTemplate: ChatMessage[] | null;
  logprobs: Logprob[] | null;
}

export interface ChatResult {
  STEERED: ChatOutput | null;
  DEFAULT: ChatOutput | null;
  id: string | null;
  shareUrl?: string;
  limit: string | null;
  settings: SteerSettings & { steer_special_tokens: boolean };
  assistant_axis?: Array<{ type: string; [field: string]: unknown }>;
}

type InferenceChatOutput = { type: string; raw: string; chatTemplate?: ChatMessage[]; logprobs?: unknown };
type InferenceChatFrame = {
  outputs: InferenceChatOutput[];
  input?: { raw: string; chatTemplate: ChatMessage[] };
  assistantAxis?: Array<{ type: string }> | null;
};

/** `[{content, role}]` in that key order: the exact text upstream hashes and stores. */
export const canonicalChat = (messages: ChatMessage[]) => JSON.stringify(messages.map((m) => ({ content: m.content, role: m.role })));

const chars = (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + m.content.length, 0);

const outputOf = (o: InferenceChatOutput): ChatOutput => ({
  raw: o.raw,
  chatTemplate: o.chatTemplate ?? null,
  logprobs: normalizeLogprobs(o.logprobs),
});
const savedOutput = (row: { outputText: string; outputTextChatTemplate: string | null; logprobs: string | null }): ChatOutput => ({
  raw: row.outputText,
  chatTemplate: JSON.parse(row.outputTextChatTemplate || '[]') as ChatMessage[],
  logprobs: parseLogprobs(row.logprobs),
});

export async function prepareChat(
  services: SteerServices,
  request: ChatRequest,
  viewer: Viewer | null,
  limit: string | null,
): Promise<PreparedSteer<ChatResult>> {
  const { db, inference, publicUrl, cache } = services;
  const maxChars = request.isAssistantAxis
    ? STEER_MAX_PROMPT_CHARS_ASSISTANT_AXIS
    : LARGE_LLM_MODELS.includes(request.modelId)
      ? STEER_MAX_PROMPT_CHARS_THINKING
      : STEER_MAX_PROMPT_CHARS;
  if (chars(request.defaultChatMessages) > maxChars || chars(request.steeredChatMessages) > maxChars)
    throw new InvalidInput(ERROR_STEER_MAX_PROMPT_CHARS);
  const model = await readableModel(db, request.modelId, viewer, cache);
  if (model.thinking) {
    if (request.n_tokens > STEER_N_TOKENS_MAX_THINKING)
      throw new InvalidInput(`For thinking models the max n_tokens is ${STEER_N_TOKENS_MAX_THINKING}`);
  } else if (request.isAssistantAxis) {
    if (request.n_tokens > STEER_N_TOKENS_MAX_ASSISTANT_AXIS)
      throw new InvalidInput(`For assistant axis models the max n_tokens is ${STEER_N_TOKENS_MAX_ASSISTANT_AXIS}`);
  } else if (LARGE_LLM_MODELS.includes(model.id)) {
    if (request.n_tokens > STEER_N_TOKENS_MAX_LARGE_LLM)
      throw new InvalidInput(`For large LLM models the max n_tokens is ${STEER_N_TOKENS_MAX_LARGE_LLM}`);
  } else if (request.n_tokens > STEER_N_TOKENS_MAX) {
    throw new InvalidInput(`The max n_tokens for non-thinking models is ${STEER_N_TOKENS_MAX}`);
  }
  const steering = await resolveSteering(db, model.id, request.features, viewer, cache);

  const key = settingsKeyOf(model.id, request, request.steer_special_tokens);
  const chatOf = { DEFAULT: canonicalChat(request.defaultChatMessages), STEERED: canonicalChat(request.steeredChatMessages) };
  const result: ChatResult = {
    STEERED: null,
    DEFAULT: null,
    id: null,
    limit,
    settings: {
      temperature: request.temperature,
      n_tokens: request.n_tokens,
      freq_penalty: request.freq_penalty,
      seed: request.seed,
      strength_multiplier: request.strength_multiplier,
      steer_special_tokens: request.steer_special_tokens,
      steer_method: request.steer_method,
    },
  };
  const wanted: SteerOutputType[] = request.features.length > 0 ? ['STEERED', 'DEFAULT'] : ['DEFAULT'];
  const { STEERED: savedSteered, DEFAULT: savedDefault } = await findSavedOutputs(db, key, {
    by: 'chat',
    STEERED: wanted.includes('STEERED') ? { md5: md5(chatOf.STEERED), features: request.features } : undefined,
    DEFAULT: { md5: md5(chatOf.DEFAULT) },
  });
  const axis = (row: { capMonitorOutput: string | null } | undefined) =>
    row?.capMonitorOutput ? [JSON.parse(row.capMonitorOutput) as { type: string }] : [];
  if (savedDefault) result.DEFAULT = savedOutput(savedDefault);
  if (savedSteered)
    Object.assign(result, { STEERED: savedOutput(savedSteered), id: savedSteered.id, shareUrl: shareUrlOf(publicUrl, savedSteered.id) });
  const cachedAxis = [...axis(savedDefault), ...axis(savedSteered)];
  if (cachedAxis.length > 0) result.assistant_axis = cachedAxis;
  const toRun = wanted.filter((type) => (type === 'STEERED' ? !savedSteered : !savedDefault));

  const common = {
    model: inferenceModelName(model),
    ...steering.inferenceSteering,
    strengthMultiplier: request.strength_multiplier,
    nCompletionTokens: request.n_tokens,
    temperature: request.temperature,
    freqPenalty: request.freq_penalty,
    seed: request.seed,
    steerSpecialTokens: request.steer_special_tokens,
    steerMethod: request.steer_method,
    normalizeSteering: false,
    nLogprobs: STEER_N_LOGPROBS,
    isAssistantAxis: request.isAssistantAxis,
  };
  const promptOf = (type: SteerOutputType) => (type === 'DEFAULT' ? request.defaultChatMessages : request.steeredChatMessages);

  async function* run(signal: AbortSignal): AsyncGenerator<ChatResult> {
    const inputs = new Map<SteerOutputType, { raw: string; chatTemplate: ChatMessage[] }>();
    const streams = toRun.map((type) =>
      runOutputType<InferenceChatOutput, InferenceChatFrame>(
        inference,
        steering.target,
        '/v1/steer/completion-chat',
        { ...common, prompt: promptOf(type) },
        type,
        request.stream,
        signal,
      ),
    );
    for await (const { from, value } of mergeStreams(streams)) {
      const type = toRun[from]!;
      result[type] = outputOf(value.output);
      if (value.frame.input) inputs.set(type, value.frame.input);
      for (const item of value.frame.assistantAxis ?? []) {
        result.assistant_axis = [...(result.assistant_axis ?? []).filter((a) => a.type !== item.type), item];
      }
      yield { ...result };
    }
    // A STEERED output generated beside a cached DEFAULT points at the cached one.
    const ids = { DEFAULT: savedDefault?.id ?? createId(), STEERED: createId() };
    const rows = toRun.map((type) => {
      const output = result[type]!;
      const conversation = chatOf[type];
      const input = inputs.get(type);
      const capMonitor = result.assistant_axis?.find((a) => a.type === type);
      return {
        row: {
          id: ids[type],
          type,
          ...key,
          creatorId: viewer?.id ?? null,
          inputText: input?.raw ?? '',
          inputTextMd5: md5(input?.raw ?? ''),
          inputTextChatTemplate: conversation,
          inputTextChatTemplateMd5: md5(conversation),
          outputText: output.raw,
          outputTextChatTemplate: canonicalChat(output.chatTemplate ?? []),
          logprobs: output.logprobs ? JSON.stringify(output.logprobs) : null,
          connectedDefaultOutputId: type === 'STEERED' ? ids.DEFAULT : null,
          capMonitorOutput: capMonitor ? JSON.stringify(capMonitor) : null,
        },
        features: type === 'STEERED' ? request.features : [],
      };
    });
    await saveSteerOutputs(db, rows);
    if (toRun.includes('STEERED')) Object.assign(result, { id: ids.STEERED, shareUrl: shareUrlOf(publicUrl, ids.STEERED) });
    yield { ...result };
  }

  return { result, pending: toRun.length > 0, run };
}
