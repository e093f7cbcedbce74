// Required body fields per path, from docs/upstream-inference-openapi.json (`required` of each
// request schema): a request without one gets FastAPI's 422, as from the real server.
export const REQUIRED: Record<string, string[]> = {
  '/v1/activation/all': ['prompt', 'model', 'sourceSet', 'selectedSources', 'sortByTokenIndexes', 'ignoreBos'],
  '/v1/activation/all-batch': ['prompts', 'model', 'sourceSet', 'selectedSources', 'sortByTokenIndexes', 'ignoreBos'],
  '/v1/activation/topk-by-token': ['prompt', 'model', 'source', 'ignoreBos'],
  '/v1/activation/topk-by-token-batch': ['prompts', 'model', 'source', 'ignoreBos'],
  '/v1/activation/single': ['prompt', 'model'],
  '/v1/activation/single-batch': ['prompts', 'model'],
  '/v1/activation/source': ['prompts', 'model', 'source'],
  '/v1/steer/completion': [
    'prompt',
    'model',
    'steerMethod',
    'normalizeSteering',
    'types',
    'nCompletionTokens',
    'temperature',
    'strengthMultiplier',
    'freqPenalty',
    'seed',
  ],
  '/v1/steer/completion-chat': ['prompt', 'model'],
  '/v1/util/sae-vector': ['model', 'source', 'index'],
  '/v1/tokenize': ['model', 'text'],
  '/v1/util/similarity-matrix-pred': ['modelId', 'sourceId', 'index', 'text'],
};

/** The JSON type each field must have when present (FastAPI answers 422 otherwise). */
const TYPES: Record<string, 'string' | 'array' | 'boolean' | 'number'> = {
  prompt: 'string',
  prompts: 'array',
  model: 'string',
  source: 'string',
  modelId: 'string',
  sourceId: 'string',
  sourceSet: 'string',
  text: 'string',
  selectedSources: 'array',
  sortByTokenIndexes: 'array',
  types: 'array',
  ignoreBos: 'boolean',
  normalizeSteering: 'boolean',
  nCompletionTokens: 'number',
  temperature: 'number',
  strengthMultiplier: 'number',
  seed: 'number',
  index: 'number',
};

export interface FieldError {
  type: string;
  loc: ['body', string];
  msg: string;
}

/** FastAPI-style errors for missing fields and fields of the wrong type. */
export function fieldErrors(path: string, body: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of REQUIRED[path] ?? []) {
    if (body[field] === undefined || body[field] === null) errors.push({ type: 'missing', loc: ['body', field], msg: 'Field required' });
  }
  for (const [field, value] of Object.entries(body)) {
    const want = TYPES[field];
    if (!want || value === undefined || value === null) continue;
    // `prompt` of steer-chat is a list of messages; `index` of single is a string.
    if ((field === 'prompt' && path === '/v1/steer/completion-chat') || (field === 'index' && path.includes('single'))) continue;
    const ok = want === 'array' ? Array.isArray(value) : typeof value === want && (want !== 'number' || Number.isFinite(value));
    if (!ok) errors.push({ type: `${want}_type`, loc: ['body', field], msg: `Input should be a valid ${want}` });
  }
  return errors;
}
