// `/{modelId}/{source}/{index}`: the feature dashboard, from the same read as GET /api/feature
// (readFeature), kept in the feature cache as an object so a warm page costs no query. Uploaded
// vectors live at these paths too (the `url` that /api/vector/new returns).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActivationRow, ExplanationWithScores, NeuronRow } from '../services/feature/types.js';
import { NotFound } from '../errors.js';
import { canReadAll } from '../services/access/viewer.js';
import { FeatureCache } from '../services/feature/feature-cache.js';
import { readFeature } from '../services/feature/read-feature.js';
import { normalizeIndex } from '../schemas/common.js';
import { activationList, histogram, logitList, showValuesBox } from './feature-parts.js';
import { featurePath, html, num, percent, sourcePath } from './html.js';
import { isReservedSegment } from './reserved.js';
import { sendPage } from './render.js';

export const ACTIVATIONS_PER_PAGE = 10;

type Feature = NeuronRow & {
  activations: ActivationRow[];
  explanations: ExplanationWithScores[];
  lists: Array<{ list: { id: string; name: string } }>;
  creator: { name: string } | null;
};

async function pageFeature(fastify: FastifyInstance, request: FastifyRequest, key: { modelId: string; layer: string; index: string }) {
  const cacheKey = FeatureCache.key(key.modelId, key.layer, key.index);
  const cached = fastify.featureCache.getPageFeature(cacheKey);
  if (cached) {
    if (!canReadAll(cached.guards, request.viewer)) throw new NotFound();
    return cached.feature as unknown as Feature;
  }
  const result = await readFeature(fastify.db, key, request.viewer);
  if (!result.found) throw new NotFound();
  fastify.featureCache.setPageFeature(cacheKey, { feature: result.feature, guards: result.guards });
  return result.feature as unknown as Feature;
}

function explanationsView(explanations: ExplanationWithScores[]): string {
  if (explanations.length === 0) return html`<p class="muted">No explanations yet.</p>`;
  const rows = explanations
    .map((e) => {
      const scores = e.scores.map((s) => html`<span class="tag">${s.explanationScoreTypeName} ${num(s.value)}</span>`).join('');
      const author = [e.explanationModelName, e.typeName, e.triggeredByUser ? `by ${e.triggeredByUser.name}` : null]
        .filter(Boolean)
        .join(' · ');
      return html`<li class="card">
        <div>${e.description}</div>
        <div class="small muted">${author}</div>
        !${scores ? html`<div>!${scores}</div>` : ''}
      </li>`;
    })
    .join('');
  return html`<ul class="plain">
    !${rows}
  </ul>`;
}

/** `from`: where the shown page of activations starts ("show more" moves it on, so a page stays small). */
export function featureView(f: Feature, from: number): string {
  const acts = [...f.activations].sort((a, b) => b.maxValue - a.maxValue);
  const scale = Math.max(f.maxActApprox ?? 0, acts[0]?.maxValue ?? 0);
  const page = acts.slice(from, from + ACTIVATIONS_PER_PAGE);
  const left = acts.length - from - page.length;
  const prev =
    from > 0 ? html`<a href="${featurePath(f)}?acts=${Math.max(0, from - ACTIVATIONS_PER_PAGE)}#activations">← Previous</a>` : '';
  const next = left > 0 ? html`<a href="${featurePath(f)}?acts=${from + page.length}#activations">Show more (${left} left)</a>` : '';
  const more = html`<nav class="pager" aria-label="Activations">!${prev}!${next}</nav>`;
  const lists = f.lists.map((l) => html`<a href="/list/${encodeURIComponent(l.list.id)}">${l.list.name}</a>`).join('');
  const steer = `/steer?feature=${encodeURIComponent(`${f.modelId}/${f.layer}/${f.index}`)}`;
  const top = f.explanations[0]?.description ?? f.vectorLabel ?? '';
  return html`<p class="muted small">
      <a href="/available-resources">Models</a> / ${f.modelId} / <a href="${sourcePath(f.modelId, f.layer)}">${f.layer}</a>
    </p>
    <h1>${f.modelId} · ${f.layer} · ${f.index}</h1>
    <p class="lead">${top}</p>
    <div class="stats">
      <div>Max activation <strong data-field="maxActApprox">${num(f.maxActApprox)}</strong></div>
      <div>Density <strong data-field="frac_nonzero">${percent(f.frac_nonzero)}</strong></div>
      !${f.creator ? html`<div>By ${f.creator.name}</div>` : ''}
      <div>
        <a href="/api/feature/${encodeURIComponent(f.modelId)}/${encodeURIComponent(f.layer)}/${encodeURIComponent(f.index)}">JSON</a> ·
        <a href="${steer}">Steer</a>
      </div>
    </div>
    !${f.hasVector ? html`<p class="card">Steering vector${f.vectorLabel ? `: ${f.vectorLabel}` : ''} · hook ${f.hookName ?? '–'} · default strength ${num(f.vectorDefaultSteerStrength)} · ${f.vector.length} dimensions</p>` : ''}
    <h2>Explanations</h2>
    !${explanationsView(f.explanations)}
    <div class="grid">
      <section class="card" aria-labelledby="logits">
        <h2 id="logits">Logits</h2>
        <div class="grid">
          !${logitList('Negative', 'neg', f.neg_str, f.neg_values)}!${logitList('Positive', 'pos', f.pos_str, f.pos_values)}
        </div>
      </section>
      <section class="card" aria-labelledby="density">
        <h2 id="density">Activation density</h2>
        <p>${percent(f.frac_nonzero)} of tokens</p>
        !${histogram(f.freq_hist_data_bar_heights, f.freq_hist_data_bar_values, 'Activation density histogram')}
      </section>
    </div>
    <h2 id="activations">
      Top activations <span class="muted small">${acts.length ? from + 1 : 0}–${from + page.length} of ${acts.length}</span>
    </h2>
    !${acts.length ? showValuesBox + activationList(page, scale) : html`<p class="muted">No activations in the data.</p>`} !${more}
    <h2>Lists</h2>
    !${lists ? html`<p class="tags">!${lists}</p>` : html`<p class="muted">In no list.</p>`}`;
}

export default async function featurePages(fastify: FastifyInstance) {
  fastify.get<{ Params: { modelId: string; source: string; index: string }; Querystring: { acts?: string } }>(
    '/:modelId/:source/:index',
    async (request, reply) => {
      const { modelId, source } = request.params;
      if (isReservedSegment(modelId)) return reply.callNotFound();
      // Index as the API normalizes it (`007` is 7); anything that is not a number names no feature.
      const raw = request.params.index;
      const key = { modelId, layer: source, index: /^[0-9]{1,30}$/.test(raw) ? normalizeIndex(raw) : raw };
      const feature = await pageFeature(fastify, request, key);
      const from = Math.min(Math.max(Number.parseInt(request.query.acts ?? '0', 10) || 0, 0), 100_000);
      return sendPage(request, reply, `${modelId} · ${source} · ${key.index}`, featureView(feature, from));
    },
  );
}
