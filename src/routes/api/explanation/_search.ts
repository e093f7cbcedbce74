// The route the four explanation searches share (/api/explanation/search, search-all,
// search-model, search-release); each says where to search. The search itself:
// services/explanation/search.ts. Not a route: autoload skips files named `_*`.
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ExplanationSearchResponse } from '../../../schemas/explanation.js';
import { searchExplanations, type SearchScope } from '../../../services/explanation/search.js';

export interface ExplanationSearchRoute {
  url: string;
  operationId: string;
  summary: string;
  body: TSchema;
  /** Where to search, from the request body. */
  scope: (body: Record<string, unknown>) => SearchScope;
}

export function explanationSearchRoute(fastify: FastifyInstance, { url, operationId, summary, body, scope }: ExplanationSearchRoute): void {
  fastify.post(
    url,
    {
      config: { rateLimitGroup: 'explanation-search' },
      schema: {
        tags: ['Explanations'],
        operationId,
        summary,
        description: `20 results a page, nearest first, each with its feature. Semantic (pgvector, 256-d embeddings) when EMBEDDING_URL is set; otherwise full-text over descriptions.`,
        security: KEY_OPTIONAL,
        body,
        response: { 200: ExplanationSearchResponse, ...errorResponses(401, 502, 504) },
      },
    },
    async (request) => {
      const params = request.body as Record<string, unknown>;
      const { db, embeddings, config } = fastify;
      const page = await searchExplanations(
        { db, embeddings, storedEmbeddingModel: config.storedEmbeddingModel, efSearch: config.searchEfSearch },
        { query: params.query as string, offset: (params.offset as number | undefined) ?? 0, scope: scope(params), viewer: request.viewer },
      );
      return { request: params, ...page };
    },
  );
}
