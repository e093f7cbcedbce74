// `/list/{id}` (a saved list, from the same service as POST /api/list/get) and `/quick-list/`
// (SAELens's get_neuronpedia_quick_list: `?name=…&features=[{"modelId","layer","index"}…]` as JSON,
// a list that is not saved). Features the viewer may not read are left out, as the API does.
import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../errors.js';
import { readFeatures } from '../services/feature/read-features.js';
import { getList } from '../services/list/get.js';
import { featurePath, featureTable, html, num, percent } from './html.js';
import { sendPage } from './render.js';

type ListedFeature = Awaited<ReturnType<typeof readFeatures>>[number];

export const QUICK_LIST_MAX = 500;

function listTable(features: ListedFeature[], asked: number): string {
  const rows = features
    .map(
      (f) =>
        html`<tr>
          <td><a href="${featurePath(f)}">${f.modelId} · ${f.layer} · ${f.index}</a></td>
          <td>${f.explanations[0]?.description ?? ''}</td>
          <td class="n">${num(f.maxActApprox)}</td>
          <td class="n">${percent(f.frac_nonzero)}</td>
        </tr>`,
    )
    .join('');
  const missing = asked - features.length;
  return html`!${featureTable('Feature', rows)} ${missing > 0 ? `${missing} feature(s) not available.` : ''}`;
}

function parseQuickList(raw: string | undefined): Array<{ modelId: string; layer: string; index: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '[]');
  } catch {
    throw new InvalidInput('features must be a JSON list of {"modelId", "layer", "index"}, as SAELens writes it.');
  }
  if (!Array.isArray(parsed)) throw new InvalidInput('features must be a JSON list.');
  if (parsed.length > QUICK_LIST_MAX) throw new InvalidInput(`A quick list holds at most ${QUICK_LIST_MAX} features.`);
  return parsed.map((f: unknown) => {
    const item = f as Record<string, unknown>;
    const ok =
      item && typeof item.modelId === 'string' && typeof item.layer === 'string' && ['string', 'number'].includes(typeof item.index);
    if (!ok)
      throw new InvalidInput('Each feature needs modelId, layer and index, e.g. {"modelId":"gpt2-small","layer":"6-res-jb","index":"5"}.');
    return { modelId: item.modelId as string, layer: item.layer as string, index: String(item.index) };
  });
}

export default async function listPages(fastify: FastifyInstance) {
  fastify.get<{ Params: { id: string } }>('/list/:id', async (request, reply) => {
    const list = await getList(fastify.db, request.viewer, request.params.id);
    const features = list.neurons.map((n) => n.neuron);
    const body = html`<h1>${list.name}</h1>
      <p>${list.description}</p>
      <p class="small muted">List by ${list.user.name ?? '–'} · ${list.neurons.length} features</p>
      !${listTable(features, features.length)}`;
    return sendPage(request, reply, list.name, body);
  });

  fastify.get<{ Querystring: { name?: string; features?: string } }>('/quick-list/', async (request, reply) => {
    const name = (request.query.name ?? 'Quick list').slice(0, 200);
    const keys = parseQuickList(request.query.features);
    const features = await readFeatures(fastify.db, keys, request.viewer, 0);
    const body = html`<h1>${name}</h1>
      <p class="small muted">Quick list · ${keys.length} features asked for</p>
      !${listTable(features, keys.length)}`;
    return sendPage(request, reply, name, body);
  });
}
