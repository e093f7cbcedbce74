// /v1/steer/completion (and chat's refusal): upstream's endpoints/steer/completion.py on
// interp-engine's eager path. Each requested type is generated in turn from a fresh seed; the
// answer (and each streamed frame) carries every type's generated text so far. Only the generated
// text is returned (webapp STEER_COMPLETION_VERSION 2). freqPenalty is ignored, as at upstream
// HEAD; `nLogprobs` > 0 fills each output's logprobs as the TransformerLens-era server did
// (logprobs.ts; HEAD leaves them null).
import { InvalidInput } from '../../errors.js';
import { drive, generation } from '../generate.js';
import type { Step } from '../model.js';
import { MAX_LOGPROBS, tokenLogprob, type TokenLogprob } from '../logprobs.js';
import type { LoadedModel, Registry } from '../registry.js';
import { steeringHook, STEER_METHODS, type SteerMethod, type SteerSpec } from '../steer.js';
import { prepareTokens, type EngineLimits } from './common.js';

export interface SteerRequest {
  prompt: string;
  model: string;
  features?: { model?: string; source: string; index: number; strength: number; steeringVector?: number[] | null }[] | null;
  vectors?: { hook: string; steeringVector: number[]; strength: number }[] | null;
  types: ('STEERED' | 'DEFAULT')[];
  nCompletionTokens: number;
  temperature: number;
  strengthMultiplier: number;
  freqPenalty: number;
  seed: number;
  steerMethod: SteerMethod;
  normalizeSteering: boolean;
  nLogprobs?: number | null;
}

export interface SteerOutput {
  type: 'STEERED' | 'DEFAULT';
  output: string;
  logprobs: TokenLogprob[] | null;
}

export const NO_CHAT_TEMPLATE_ERROR =
  'This model has no chat template, so it cannot accept chat messages. Use /v1/steer/completion with a raw `prompt` instead.';

type SteerAnswer = { outputs: SteerOutput[] };

/** A checked steer request: its model and its generation as steps (generate.ts), to drive alone or batched. */
export interface PlannedSteer {
  loaded: LoadedModel;
  steps: Generator<Step, SteerAnswer, Float32Array>;
}

export async function steerCompletion(
  registry: Registry,
  limits: EngineLimits & { maxTokens: number },
  req: SteerRequest,
  onFrame?: (frame: SteerAnswer) => void,
  signal?: { readonly aborted: boolean },
): Promise<SteerAnswer> {
  const { loaded, steps } = await planSteer(registry, limits, req, onFrame, signal);
  return drive(loaded.model, steps);
}

export async function planSteer(
  registry: Registry,
  limits: EngineLimits & { maxTokens: number },
  req: SteerRequest,
  onFrame?: (frame: SteerAnswer) => void,
  signal?: { readonly aborted: boolean },
): Promise<PlannedSteer> {
  if ((req.features != null) === (req.vectors != null)) {
    throw new InvalidInput('Invalid request data: exactly one of features or vectors must be provided');
  }
  if (!STEER_METHODS.includes(req.steerMethod)) throw new InvalidInput(`Unknown steerMethod: ${String(req.steerMethod)}`);
  const nLogprobs = req.nLogprobs ?? 0;
  if (!Number.isInteger(nLogprobs) || nLogprobs < 0 || nLogprobs > MAX_LOGPROBS) {
    throw new InvalidInput(`nLogprobs must be an integer from 0 to ${MAX_LOGPROBS}`);
  }
  const loaded = await registry.model(req.model);
  const { nLayer, dModel } = loaded.model.config;
  const specs: SteerSpec[] = [];
  const common = { method: req.steerMethod, normalize: req.normalizeSteering };
  for (const f of req.features ?? []) {
    const sae = await registry.sae(req.model, f.source);
    if (!Number.isInteger(f.index) || f.index < 0 || f.index >= sae.cfg.dSae) {
      throw new InvalidInput(`index ${f.index} is not a feature of ${f.source} (0 to ${sae.cfg.dSae - 1})`);
    }
    const vector = f.steeringVector ? Float32Array.from(f.steeringVector) : sae.decoderVector(f.index);
    specs.push({ hook: sae.cfg.hookName, vector, coefficient: f.strength * req.strengthMultiplier, ...common });
  }
  for (const v of req.vectors ?? []) {
    specs.push({ hook: v.hook, vector: Float32Array.from(v.steeringVector), coefficient: v.strength * req.strengthMultiplier, ...common });
  }
  if (specs.length === 0) throw new InvalidInput('No features or vectors provided');
  const hook = steeringHook(specs, nLayer, dModel);
  const { ids } = prepareTokens(loaded, req.prompt, limits);
  const budget = Math.min(limits.maxTokens, loaded.model.config.nCtx);
  const maxNew = Math.min(req.nCompletionTokens, budget - ids.length);
  if (maxNew <= 0) {
    throw new InvalidInput(
      `No room to generate: the prompt is ${ids.length} tokens and the per-request budget (prompt + completion) is ${budget}. ` +
        'Shorten the prompt or start a new conversation.',
    );
  }
  // The requested types one after another, as upstream: DEFAULT starts when STEERED is done.
  function* steps(): Generator<Step, SteerAnswer, Float32Array> {
    const outputs: SteerOutput[] = [];
    for (const type of req.types) {
      const output: SteerOutput = { type, output: '', logprobs: nLogprobs > 0 ? [] : null };
      outputs.push(output);
      yield* generation(loaded.model, ids, {
        maxNew,
        temperature: req.temperature,
        seed: req.seed,
        hook: type === 'STEERED' ? hook : undefined,
        signal,
        onToken: (id, logits) => {
          registry.steerStats.tokens++;
          // Per-token decode, so a split multibyte character shows as U+FFFD per token, as upstream.
          const decode = (i: number) => loaded.tokenizer.tokenStrings([i])[0]!;
          output.output += decode(id);
          if (output.logprobs) output.logprobs.push(tokenLogprob(logits, id, nLogprobs, decode));
          onFrame?.({ outputs: outputs.map((o) => ({ ...o, logprobs: o.logprobs && [...o.logprobs] })) });
        },
      });
    }
    if (signal?.aborted) registry.steerStats.cancelled++;
    return { outputs };
  }
  return { loaded, steps: steps() };
}
