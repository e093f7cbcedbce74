// The handler the four explanation searches share (/api/explanation/search, search-all,
// search-model, search-release): explanations nearest to a text, 20 a page, each with its feature
// (top 3 activations). Semantic with an embedding service (EMBEDDING_URL); otherwise full-text
// search over descriptions, said in `searchMode`. Not a route: autoload skips files named `_*`.
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { SearchScope } from '../../../db/queries/explanation-search.js';
import { searchExplanations } from '../../../services/explanation/search.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ExplanationSearchResponse } from '../../../schemas/explanation.js';

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
      const found = await searchExplanations(
        {
          db: fastify.db,
          embeddings: fastify.embeddings,
          storedEmbeddingModel: fastify.config.storedEmbeddingModel,
          efSearch: fastify.config.searchEfSearch,
        },
        { query: params.query as string, offset: (params.offset as number | undefined) ?? 0, scope: scope(params) },
        request.viewer,
      );
      return { request: params, ...found };
    },
  );
}
