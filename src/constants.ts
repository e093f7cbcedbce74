// Constants shared across layers: upstream's limits and defaults, which the wire schemas validate
// with and the services apply. A leaf module: it imports nothing.

/** Upstream's `bot` user (seeded on neuronpedia.org): the creator of imported data and of the shared vector sources. */
export const DEFAULT_CREATOR_ID = 'clkht01d40000jv08hvalcvly';

// Steering settings: limits and defaults as upstream (apps/webapp/lib/utils/steer.ts).
export const STEER_METHODS = ['SIMPLE_ADDITIVE', 'ORTHOGONAL_DECOMP', 'PROJECTION_CAP'] as const;
export type SteerMethod = (typeof STEER_METHODS)[number];
export const STEER_MAX_PROMPT_CHARS = 2048;
export const STEER_MAX_PROMPT_CHARS_THINKING = 8192;
export const STEER_MAX_PROMPT_CHARS_ASSISTANT_AXIS = 24576;
export const STEER_N_TOKENS_MAX = 256;
export const STEER_N_TOKENS_MAX_THINKING = 768;
export const STEER_N_TOKENS_MAX_ASSISTANT_AXIS = 768;
export const STEER_N_TOKENS_MAX_LARGE_LLM = 1024;
export const STEER_TEMPERATURE_MAX = 2;
export const STEER_STRENGTH_MULTIPLIER_MAX = 10;
export const STEER_STRENGTH_MIN = -300;
export const STEER_FREQ_PENALTY = 1.0;
export const STEER_SEED_LIMIT = 100_000_000;
export const STEER_N_LOGPROBS = 5;
/** Part of the cache key, as upstream: rows of other versions are never served. */
export const STEER_VERSION = 2;
/** Models upstream serves with nnsight, which allow longer prompts and outputs. */
export const LARGE_LLM_MODELS = ['llama3.3-70b-it', 'gpt-oss-20b'];
export const ERROR_STEER_MAX_PROMPT_CHARS =
  'Total conversation length exceeds the maximum number of characters allowed. Please click Reset to start a new conversation.';

// Search by text (search-all).
export const DEFAULT_NUM_RESULTS = 50;
export const MAX_NUM_RESULTS = 100;
/** -1 (or 0, as upstream reads `|| -1`) means no density filter. */
export const NO_DENSITY_THRESHOLD = -1;
