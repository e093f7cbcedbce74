// The shapes the fuzz test works with: the OpenAPI document's parts, the fixtures, the requests
// and cases, and the seeded feature every baseline names.
export interface Schema {
  type?: string;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
}

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
  security?: Array<Record<string, unknown>>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** What the seeded database holds, so baselines name things that exist and the caller owns. */
export interface Fixtures {
  userKey: string;
  adminKey: string;
  /** Public model and source the user created (uploads go there). */
  ownModel: string;
  ownSource: string;
  vector: { modelId: string; source: string; index: string };
  spareVector: { modelId: string; source: string; index: string };
  listId: string;
  spareListId: string;
  explanationId: string;
}

/** Why an answer must be a refusal, whatever else the route does with the value. */
export type MustReject = 'nul' | 'surrogate' | 'invalid-utf8' | 'non-finite';

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzCase {
  /** "POST /api/list/add-features", as the document names it. */
  route: string;
  /** What was broken and how, e.g. "string:nul". */
  mutation: string;
  /** Where: a JSON pointer into the body, `path:index`, `query:location`, `body`, `header:x-api-key`. */
  target: string;
  auth: 'user' | 'anon' | 'admin' | 'custom';
  request: FuzzRequest;
  mustReject?: MustReject;
  /** A 400 for this case must name this field (non-finite numbers at a write). */
  field?: string;
}

/** The seeded feature every baseline reads (test/fixtures/seed.ts). */
export const SEEDED = { modelId: 'gpt2-small', layer: '6-res-jb', setName: 'res-jb', release: 'gpt2-small-res-jb', index: 0 } as const;
