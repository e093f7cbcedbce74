// Request and response schemas of /api/steer, /api/steer-chat and /api/steer-load.
import { Type } from 'typebox';
import {
  STEER_FREQ_PENALTY,
  STEER_MAX_PROMPT_CHARS,
  STEER_METHODS,
  STEER_N_TOKENS_MAX,
  STEER_SEED_LIMIT,
  STEER_STRENGTH_MIN,
  STEER_STRENGTH_MULTIPLIER_MAX,
  STEER_TEMPERATURE_MAX,
} from '../constants.js';
import { FeatureIndex, ModelId, SourceId } from './common.js';

const MAX_FEATURES = 64;
const MAX_MESSAGES = 512;
const Feature = (strength = Type.Number()) => Type.Object({ modelId: ModelId, layer: SourceId, index: FeatureIndex, strength });

/** Settings both steering routes take. */
const settings = {
  modelId: ModelId,
  temperature: Type.Number({ minimum: 0, maximum: STEER_TEMPERATURE_MAX }),
  freq_penalty: Type.Optional(
    Type.Number({
      minimum: -2,
      maximum: 2,
      default: STEER_FREQ_PENALTY,
      description: 'Accepted and part of the cache key; no inference backend applies it.',
    }),
  ),
  seed: Type.Number({ minimum: -STEER_SEED_LIMIT, maximum: STEER_SEED_LIMIT }),
  strength_multiplier: Type.Number({ minimum: 0, maximum: STEER_STRENGTH_MULTIPLIER_MAX }),
  stream: Type.Optional(Type.Boolean({ default: false, description: 'Answer with server-sent events, each frame the result so far.' })),
  steer_method: Type.Optional(
    Type.Union(
      STEER_METHODS.map((m) => Type.Literal(m)),
      { default: 'SIMPLE_ADDITIVE' },
    ),
  ),
};
const Logprobs = Type.Union([Type.Array(Type.Object({}, { additionalProperties: true })), Type.Null()]);
const ChatMessage = Type.Object({
  content: Type.String(),
  role: Type.Union([
    Type.Literal('user'),
    Type.Literal('assistant'),
    Type.Literal('system'),
    Type.Literal('model'),
    Type.Literal('developer'),
  ]),
});
const TemplateMessage = Type.Object({ content: Type.String(), role: Type.String() });
const ChatOutput = Type.Union([
  Type.Object(
    { raw: Type.String(), chatTemplate: Type.Union([Type.Array(TemplateMessage), Type.Null()]), logprobs: Logprobs },
    { additionalProperties: true },
  ),
  Type.Null(),
]);

/** POST /api/steer */
export const SteerBody = Type.Object({
  prompt: Type.String({ maxLength: STEER_MAX_PROMPT_CHARS }),
  features: Type.Array(Feature(), { maxItems: MAX_FEATURES }),
  n_tokens: Type.Integer({ minimum: 1, maximum: STEER_N_TOKENS_MAX }),
  ...settings,
});
export const SteerResponse = Type.Object(
  {
    STEERED: Type.Union([Type.String(), Type.Null()]),
    DEFAULT: Type.Union([Type.String(), Type.Null()]),
    steeredLogProbs: Logprobs,
    defaultLogProbs: Logprobs,
    id: Type.Union([Type.String(), Type.Null()]),
    shareUrl: Type.Optional(Type.String()),
    limit: Type.Union([Type.String(), Type.Null()]),
  },
  { description: 'Or, with stream: true, text/event-stream frames of this object.' },
);

/** POST /api/steer-chat */
export const SteerChatBody = Type.Object({
  defaultChatMessages: Type.Array(ChatMessage, { maxItems: MAX_MESSAGES }),
  steeredChatMessages: Type.Array(ChatMessage, { maxItems: MAX_MESSAGES }),
  features: Type.Array(Feature(Type.Number({ minimum: STEER_STRENGTH_MIN })), { maxItems: MAX_FEATURES }),
  n_tokens: Type.Integer({ minimum: 1, maximum: 1024 }),
  steer_special_tokens: Type.Boolean(),
  isAssistantAxis: Type.Optional(Type.Boolean({ default: false })),
  ...settings,
});
export const SteerChatResponse = Type.Object(
  {
    STEERED: ChatOutput,
    DEFAULT: ChatOutput,
    id: Type.Union([Type.String(), Type.Null()]),
    shareUrl: Type.Optional(Type.String()),
    limit: Type.Union([Type.String(), Type.Null()]),
    settings: Type.Object({}, { additionalProperties: true }),
    assistant_axis: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  },
  { description: 'Or, with stream: true, text/event-stream frames of this object.' },
);

/** POST /api/steer-load */
export const SteerLoadBody = Type.Object({ steerOutputId: Type.String({ minLength: 1, maxLength: 64 }) });
export const SteerLoadResponse = Type.Object({ id: Type.String() }, { additionalProperties: true });
