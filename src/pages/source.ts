// `/{modelId}/{source}`: a source's features a page at a time (top explanation, max activation,
// density) and a jump-to-index box. `?index=N` jumps (a GET form, so it works without script).
import type { FastifyInstance } from 'fastify';
import { FEATURES_PER_PAGE, sourceFeaturePage } from '../services/feature/source-features.js';
import { featurePath, featureTable, html, num, percent, sourcePath } from './html.js';
import { isReservedSegment } from './reserved.js';
import { sendPage } from './render.js';

type SourcePage = Awaited<ReturnType<typeof sourceFeaturePage>>;

function pager(page: SourcePage): string {
  const base = sourcePath(page.model.id, page.source.id);
  const last = Math.min(page.offset + page.pageSize, page.total);
  const prev = page.offset > 0 ? html`<a href="${base}?offset=${Math.max(0, page.offset - page.pageSize)}">← Previous</a>` : '';
  const next = last < page.total ? html`<a href="${base}?offset=${last}">Next →</a>` : '';
  return html`<nav class="pager" aria-label="Pages">
    !${prev}<span>${page.total === 0 ? 0 : page.offset + 1}–${last} of ${page.total}</span>!${next}
  </nav>`;
}

export function sourceView(page: SourcePage): string {
  const rows = page.features
    .map(
      (f) =>
        html`<tr>
          <td><a href="${featurePath(f)}">${f.index}</a></td>
          <td>${f.topExplanation ?? f.vectorLabel ?? ''}</td>
          <td class="n">${num(f.maxActApprox)}</td>
          <td class="n">${percent(f.frac_nonzero)}</td>
        </tr>`,
    )
    .join('');
  return html`<p class="muted small"><a href="/available-resources">Models</a> / ${page.model.id}</p>
    <h1>${page.model.id} · ${page.source.id}</h1>
    <div class="stats">
      <div>Source set: ${page.source.setName ?? '–'}</div>
      <div>${page.total} features</div>
    </div>
    <form method="get" action="${sourcePath(page.model.id, page.source.id)}" class="inline">
      <label for="jump" class="inline">Jump to feature</label>
      <input id="jump" name="index" inputmode="numeric" size="8" required />
      <button type="submit">Go</button>
    </form>
    !${pager(page)} !${featureTable('Index', rows, `Features ${page.offset + 1} onwards, by index`)} !${pager(page)}`;
}

export default async function sourcePages(fastify: FastifyInstance) {
  fastify.get<{ Params: { modelId: string; source: string }; Querystring: { offset?: string; index?: string } }>(
    '/:modelId/:source',
    async (request, reply) => {
      const { modelId, source } = request.params;
      if (isReservedSegment(modelId)) return reply.callNotFound();
      const index = request.query.index?.trim();
      if (index) return reply.redirect(featurePath({ modelId, layer: source, index }), 303);
      const offset = Math.max(0, Math.min(Number.parseInt(request.query.offset ?? '0', 10) || 0, 1e9));
      const page = await sourceFeaturePage(
        fastify.db,
        modelId,
        source,
        Math.floor(offset / FEATURES_PER_PAGE) * FEATURES_PER_PAGE,
        request.viewer,
      );
      return sendPage(request, reply, `${modelId} · ${source}`, sourceView(page));
    },
  );
}
