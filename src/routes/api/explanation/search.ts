// POST /api/explanation/search, /search-all, /search-model, /search-release: explanations nearest
// to a text, 20 a page, each with its feature (top 3 activations). Semantic with an embedding
// service (EMBEDDING_URL); otherwise full-text search over descriptions, said in `searchMode`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { searchByEmbedding, searchByText, type SearchScope } from '../../../db/queries/explanation-search.js';
import { readFeatures } from '../../../features/read-features.js';
import { errorResponses, ModelId, Nullable, SourceId } from '../../../schemas/common.js';

export const RESULTS_PER_PAGE = 20;

const Query = Type.String({ minLength: 3, maxLength: 1000, description: 'What to look for, e.g. "legal contracts".' });
const Offset = Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Results to skip (pages of 20).' }));

const SearchResponse = Type.Object(
  {
    request: Type.Unknown(),
    results: Type.Array(
      Type.Object(
        {
          modelId: Type.String(),
          layer: Type.String(),
          index: Type.String(),
          description: Type.String(),
          explanationModelName: Nullable(Type.String()),
          typeName: Nullable(Type.String()),
          cosine_similarity: Nullable(Type.Number({ description: 'Null in full-text mode.' })),
          neuron: Nullable(Type.Unknown()),
        },
        { additionalProperties: true },
      ),
    ),
    resultsCount: Type.Integer(),
    hasMore: Type.Boolean(),
    nextOffset: Type.Optional(Type.Integer()),
    searchMode: Type.Union([Type.Literal('semantic'), Type.Literal('fulltext')], {
      description:
        'Mirror extension: fulltext when no embedding service is configured, or when it is not the model the stored embeddings came from.',
    }),
    warning: Type.Optional(Type.String({ description: 'Why the search was not semantic, when an embedding service is configured.' })),
  },
  { title: 'ExplanationSearchResult' },
);

const ROUTES: Array<{
  url: string;
  operationId: string;
  summary: string;
  body: TSchema;
  scope: (body: Record<string, unknown>) => SearchScope;
}> = [
  {
    url: '/api/explanation/search',
    operationId: 'searchExplanations',
    summary: 'Search explanations in some sources of a model',
    body: Type.Object({ modelId: ModelId, layers: Type.Array(SourceId, { minItems: 1, maxItems: 1000 }), query: Query, offset: Offset }),
    scope: (b) => ({ kind: 'layers', modelId: b.modelId as string, layers: b.layers as string[] }),
  },
  {
    url: '/api/explanation/search-all',
    operationId: 'searchAllExplanations',
    summary: 'Search all explanations',
    body: Type.Object({ query: Query, offset: Offset }),
    scope: () => ({ kind: 'all' }),
  },
  {
    url: '/api/explanation/search-model',
    operationId: 'searchModelExplanations',
    summary: 'Search the explanations of a model',
    body: Type.Object({ modelId: ModelId, query: Query, offset: Offset }),
    scope: (b) => ({ kind: 'model', modelId: b.modelId as string }),
  },
  {
    url: '/api/explanation/search-release',
    operationId: 'searchReleaseExplanations',
    summary: 'Search the explanations of a release',
    body: Type.Object({ releaseName: Type.String({ minLength: 1, maxLength: 256 }), query: Query, offset: Offset }),
    scope: (b) => ({ kind: 'release', releaseName: b.releaseName as string }),
  },
];

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const { url, operationId, summary, body, scope } of ROUTES) {
    fastify.post(
      url,
      {
        config: { rateLimitGroup: 'explanation-search' },
        schema: {
          tags: ['Explanations'],
          operationId,
          summary,
          description: `20 results a page, nearest first, each with its feature. Semantic (pgvector, 256-d embeddings) when EMBEDDING_URL is set; otherwise full-text over descriptions.`,
          security: [{}, { apiKey: [] }, { bearer: [] }],
          body,
          response: { 200: SearchResponse, ...errorResponses(401, 502, 504) },
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
};

export default route;
