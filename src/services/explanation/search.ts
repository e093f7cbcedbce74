// The four explanation searches (/api/explanation/search, search-all, search-model,
// search-release): explanations nearest to a text, 20 a page, each with its feature (top 3
// activations). Semantic with an embedding service (EMBEDDING_URL); otherwise full-text search over
// descriptions, said in `searchMode`.
import type { Db } from '../../db/client.js';
import { searchByEmbedding, searchByText, type SearchScope } from '../../db/queries/explanation-search.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
import type { Viewer } from '../access/viewer.js';
import { readFeatures } from '../feature/read-features.js';

export type { SearchScope };

export const RESULTS_PER_PAGE = 20;

export interface ExplanationSearchDeps {
  db: Db;
  embeddings: EmbeddingClient | undefined;
  /** The model the stored explanation embeddings come from (STORED_EMBEDDING_MODEL). */
  storedEmbeddingModel: string;
  /** hnsw.ef_search for the semantic search (SEARCH_EF_SEARCH). */
  efSearch: number;
}

export interface ExplanationSearchParams {
  query: string;
  offset: number;
  scope: SearchScope;
  viewer: Viewer | null;
}

const featureKey = (k: { modelId: string; layer: string; index: string }) => `${k.modelId}\u0000${k.layer}\u0000${k.index}`;

/** One page of results; the route puts the request body in front of it. */
export async function searchExplanations(deps: ExplanationSearchDeps, { query, offset, scope, viewer }: ExplanationSearchParams) {
  const { db, storedEmbeddingModel } = deps;
  // A query embedded by another model than the stored embeddings would rank nonsense: say so, search text.
  const embeddings = deps.embeddings?.model === storedEmbeddingModel ? deps.embeddings : undefined;
  const warning =
    deps.embeddings && !embeddings
      ? `The stored explanation embeddings come from ${storedEmbeddingModel} but EMBEDDING_MODEL is ${deps.embeddings.model}; searched full text instead. Set EMBEDDING_MODEL to ${storedEmbeddingModel}, or STORED_EMBEDDING_MODEL if your embeddings come from ${deps.embeddings.model}.`
      : undefined;
  // One more than a page tells whether there is a next one.
  const hits = embeddings
    ? await searchByEmbedding(db, (await embeddings.embed([query]))[0]!, scope, viewer, RESULTS_PER_PAGE + 1, offset, deps.efSearch)
    : await searchByText(db, query, scope, viewer, RESULTS_PER_PAGE + 1, offset);
  const page = hits.slice(0, RESULTS_PER_PAGE);
  const features = await readFeatures(db, page, viewer, 3);
  const byKey = new Map(features.map((f) => [featureKey(f), f]));
  const hasMore = hits.length > RESULTS_PER_PAGE;
  return {
    results: page.map((hit) => ({
      ...hit,
      cosine_similarity: hit.cosine_similarity === null ? null : Number(hit.cosine_similarity),
      neuron: byKey.get(featureKey(hit)) ?? null,
    })),
    resultsCount: page.length,
    hasMore,
    ...(hasMore ? { nextOffset: offset + RESULTS_PER_PAGE } : {}),
    searchMode: embeddings ? ('semantic' as const) : ('fulltext' as const),
    ...(warning ? { warning } : {}),
  };
}
