// Explanations nearest to a text, 20 a page, each with its feature (top 3 activations): what the
// four /api/explanation/search* routes and the /search-explanations page answer. Semantic with an
// embedding service (EMBEDDING_URL); otherwise full-text search over descriptions, said in `searchMode`.
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { searchByEmbedding, searchByText, type SearchScope } from '../../db/queries/explanation-search.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
import { readFeatures } from '../feature/read-features.js';

export const RESULTS_PER_PAGE = 20;

export interface ExplanationSearchDeps {
  db: Db;
  embeddings: EmbeddingClient | undefined;
  storedEmbeddingModel: string;
  efSearch: number;
}

export async function searchExplanations(
  { db, embeddings: configured, storedEmbeddingModel, efSearch }: ExplanationSearchDeps,
  { query, offset, scope }: { query: string; offset: number; scope: SearchScope },
  viewer: Viewer | null,
) {
  // A query embedded by another model than the stored embeddings would rank nonsense: say so, search text.
  const embeddings = configured?.model === storedEmbeddingModel ? configured : undefined;
  const warning =
    configured && !embeddings
      ? `The stored explanation embeddings come from ${storedEmbeddingModel} but EMBEDDING_MODEL is ${configured.model}; searched full text instead. Set EMBEDDING_MODEL to ${storedEmbeddingModel}, or STORED_EMBEDDING_MODEL if your embeddings come from ${configured.model}.`
      : undefined;
  // One more than a page tells whether there is a next one.
  const hits = embeddings
    ? await searchByEmbedding(db, (await embeddings.embed([query]))[0]!, scope, viewer, RESULTS_PER_PAGE + 1, offset, efSearch)
    : await searchByText(db, query, scope, viewer, RESULTS_PER_PAGE + 1, offset);
  const page = hits.slice(0, RESULTS_PER_PAGE);
  const features = await readFeatures(db, page, viewer, 3);
  const byKey = new Map(features.map((f) => [`${f.modelId}\u0000${f.layer}\u0000${f.index}`, f]));
  const hasMore = hits.length > RESULTS_PER_PAGE;
  return {
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
}
