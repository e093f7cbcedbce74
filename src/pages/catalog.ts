// `/` and `/available-resources`: the models, source sets and sources this viewer may see, with
// feature counts (the same service as GET /api/models).
import type { FastifyInstance } from 'fastify';
import { listCatalog } from '../services/catalog/list-catalog.js';
import { html, num, sourcePath } from './html.js';
import { sendPage } from './render.js';

type Catalog = Awaited<ReturnType<typeof listCatalog>>;

export function catalogView(catalog: Catalog): string {
  if (catalog.length === 0)
    return html`<p>This mirror holds no models you may see yet. Import an export (<code>npm run import</code>) or sign in.</p>`;
  return catalog
    .map(
      (m) =>
        html`<section class="card" aria-labelledby="m-${m.id}">
          <h2 id="m-${m.id}">${m.displayName || m.id} <span class="muted small">${m.id}</span></h2>
          !${m.sourceSets
            .map(
              (set) =>
                html`<h3 class="small">${set.name} <span class="muted">· ${num(set.featureCount)} features</span></h3>
                  <ul class="tags">
                    !${set.sources
                      .map(
                        (s) =>
                          html`<li class="tag">
                            <a href="${sourcePath(m.id, s.id)}">${s.id}</a> <span class="muted">${num(s.featureCount)}</span>
                          </li>`,
                      )
                      .join('')}
                  </ul>`,
            )
            .join('')}
        </section>`,
    )
    .join('');
}

export default async function catalogPages(fastify: FastifyInstance) {
  for (const [url, title] of [
    ['/', 'Neuronpedia mirror'],
    ['/available-resources', 'Available models and sources'],
  ] as const) {
    fastify.get(url, async (request, reply) => {
      const catalog = await listCatalog(fastify.db, request.viewer);
      const intro =
        url === '/'
          ? html`<h1>Neuronpedia mirror</h1>
              <p>
                Features, explanations and activations held by this mirror, at neuronpedia.org's paths.
                <a href="/search-explanations">Search explanations</a> or pick a source.
              </p>
              <h2>Available models and sources</h2>`
          : html`<h1>Available models and sources</h1>`;
      return sendPage(request, reply, title, intro + catalogView(catalog));
    });
  }
}
