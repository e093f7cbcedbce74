// The handler the four explanation searches share (/api/explanation/search, search-all,
// search-model, search-release): explanations nearest to a text, 20 a page, each with its feature
// (top 3 activations). Semantic with an embedding service (EMBEDDING_URL); otherwise full-text
// search over descriptions, said in `searchMode`. Not a route: autoload skips files named `_*`.
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { searchByEmbedding, searchByText, type SearchScope } from '../../../db/queries/explanation-search.js';
import { readFeatures } from '../../../services/feature/read-features.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ExplanationSearchResponse } from '../../../schemas/explanation.js';

export const RESULTS_PER_PAGE = 20;

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
      const query = params.query as string;
      const offset = (params.offset as number | undefined) ?? 0;
      const where = scope(params);
      // A query embedded by another model than the stored embeddings would rank nonsense: say so, search text.
      const { storedEmbeddingModel } = fastify.config;
      const embeddings = fastify.embeddings?.model === storedEmbeddingModel ? fastify.embeddings : undefined;
      const warning =
        fastify.embeddings && !embeddings
          ? `The stored explanation embeddings come from ${storedEmbeddingModel} but EMBEDDING_MODEL is ${fastify.embeddings.model}; searched full text instead. Set EMBEDDING_MODEL to ${storedEmbeddingModel}, or STORED_EMBEDDING_MODEL if your embeddings come from ${fastify.embeddings.model}.`
          : undefined;
      // One more than a page tells whether there is a next one.
      const hits = embeddings
        ? await searchByEmbedding(
            fastify.db,
            (await embeddings.embed([query]))[0]!,
            where,
            request.viewer,
            RESULTS_PER_PAGE + 1,
            offset,
            fastify.config.searchEfSearch,
          )
        : await searchByText(fastify.db, query, where, request.viewer, RESULTS_PER_PAGE + 1, offset);
      const page = hits.slice(0, RESULTS_PER_PAGE);
      const features = await readFeatures(fastify.db, page, request.viewer, 3);
      const byKey = new Map(features.map((f) => [`${f.modelId}\u0000${f.layer}\u0000${f.index}`, f]));
      const hasMore = hits.length > RESULTS_PER_PAGE;
      return {
        request: params,
        results: page.map((hit) => ({
          ...hit,
          cosine_similarity: hit.cosine_similarity === null ? null : Number(hit.cosine_similarity),
          neuron: byKey.get(`${hit.modelId}\u0000${hit.layer}\u0000${hit.index}`) ?? null,
        })),
        resultsCount: page.length,
        hasMore,
        ...(hasMore ? { nextOffset: offset + RESULTS_PER_PAGE } : {}),
        searchMode: embeddings ? ('semantic' as const) : ('fulltext' as const),
        ...(warning ? { warning } : {}),
      };
    },
  );
}
