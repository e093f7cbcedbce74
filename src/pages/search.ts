// `/search-explanations`: the explanation search of /api/explanation/search-all as a page (a GET
// form, so results have a URL), saying whether it searched semantically or by full text.
import type { FastifyInstance } from 'fastify';
import { searchExplanations } from '../services/explanation/search.js';
import { featurePath, html, num } from './html.js';
import { sendPage } from './render.js';

export default async function searchPages(fastify: FastifyInstance) {
  fastify.get<{ Querystring: { q?: string; offset?: string } }>('/search-explanations', async (request, reply) => {
    const query = (request.query.q ?? '').trim().slice(0, 1000);
    const offset = Math.max(0, Math.min(Number.parseInt(request.query.offset ?? '0', 10) || 0, 10_000));
    const form = html`<h1>Search explanations</h1>
      <form method="get" action="/search-explanations" role="search" class="row">
        <div><label for="q">Text to search for</label><input id="q" name="q" value="${query}" required /></div>
        <button type="submit">Search</button>
      </form>`;
    if (!query) return sendPage(request, reply, 'Search explanations', form);
    const found = await searchExplanations(
      {
        db: fastify.db,
        embeddings: fastify.embeddings,
        storedEmbeddingModel: fastify.config.storedEmbeddingModel,
        efSearch: fastify.config.searchEfSearch,
      },
      { query, offset, scope: { kind: 'all' }, viewer: request.viewer },
    );
    const mode =
      found.searchMode === 'semantic'
        ? 'Semantic search (embeddings)'
        : 'Full-text search: this mirror has no embedding service (EMBEDDING_URL), so results match words, not meaning.';
    const rows = found.results
      .map(
        (r) =>
          html`<li class="card">
            <a href="${featurePath(r)}">${r.modelId} · ${r.layer} · ${r.index}</a>
            <div>${r.description}</div>
            !${r.cosine_similarity === null ? '' : html`<div class="small muted">similarity ${num(r.cosine_similarity)}</div>`}
          </li>`,
      )
      .join('');
    const next = found.hasMore
      ? html`<a href="/search-explanations?q=${encodeURIComponent(query)}&offset=${found.nextOffset}">Next →</a>`
      : '';
    const prev =
      offset > 0
        ? html`<a href="/search-explanations?q=${encodeURIComponent(query)}&offset=${Math.max(0, offset - 20)}">← Previous</a>`
        : '';
    const body = html`!${form}
      <p class="small muted" data-mode="${found.searchMode}">${mode}</p>
      ${found.warning ?? ''} ${found.results.length ? '' : 'No explanations match.'}
      <ol class="plain">
        !${rows}
      </ol>
      <nav class="pager" aria-label="Pages">!${prev}!${next}</nav>`;
    return sendPage(request, reply, `Search: ${query}`, body);
  });
}
