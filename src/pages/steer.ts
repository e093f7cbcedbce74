// `/steer` (pick a model, features and strengths, a prompt; a feature typed as model/source/index,
// preselected from a feature page, or found by explanation search (`?q=`); the script streams both completions
// from POST /steer/run, the page-side /api/steer, with `stream: true`) and `/steer/{id}` (a saved result: the target of the API's
// `shareUrl`, from the same service as POST /api/steer-load).
import type { FastifyInstance } from 'fastify';
import { listCatalog } from '../services/catalog/list-catalog.js';
import { searchExplanations } from '../services/explanation/search.js';
import { loadSteerOutput } from '../services/steer/load.js';
import { STEER_N_TOKENS_MAX } from '../constants.js';
import { featurePath, html, num } from './html.js';
import { sendPage } from './render.js';
import { anonymousCsrf } from './session.js';
import steerRun from './steer-run.js';

const FEATURE_ROWS = 3;

/** Features found by explanation search, each a link that opens /steer with it preselected. */
async function featureSearch(fastify: FastifyInstance, query: string, viewer: Parameters<typeof searchExplanations>[1]['viewer']) {
  const form = html`<form method="get" action="/steer" role="search" class="row">
    <div><label for="find">Find a feature by its explanation</label><input id="find" name="q" value="${query}" /></div>
    <button type="submit">Find</button>
  </form>`;
  if (!query) return form;
  const found = await searchExplanations(
    {
      db: fastify.db,
      embeddings: fastify.embeddings,
      storedEmbeddingModel: fastify.config.storedEmbeddingModel,
      efSearch: fastify.config.searchEfSearch,
    },
    { query, offset: 0, scope: { kind: 'all' }, viewer },
  );
  const items = found.results
    .map((r) => {
      const ref = `${r.modelId}/${r.layer}/${r.index}`;
      return html`<li><a href="/steer?feature=${encodeURIComponent(ref)}">${ref}</a> · ${r.description}</li>`;
    })
    .join('');
  return html`!${form}
    <ul id="feature-results">
      !${items || html`<li class="muted">No feature's explanation matches.</li>`}
    </ul>`;
}

function featureRow(i: number, ref: string, strength: string): string {
  return html`<div class="row">
    <div>
      <label for="f${i}">Feature ${i + 1} (model/source/index)</label
      ><input id="f${i}" name="feature" value="${ref}" placeholder="gpt2-small/6-res-jb/5" />
    </div>
    <div><label for="s${i}">Strength</label><input id="s${i}" name="strength" type="number" step="any" value="${strength}" /></div>
  </div>`;
}

export default async function steerPages(fastify: FastifyInstance) {
  await fastify.register(steerRun);
  fastify.get<{ Querystring: { feature?: string; strength?: string; q?: string } }>('/steer', async (request, reply) => {
    const search = await featureSearch(fastify, (request.query.q ?? '').trim().slice(0, 1000), request.viewer);
    const catalog = await listCatalog(fastify.db, request.viewer);
    const preselected = (request.query.feature ?? '').slice(0, 300);
    const model = preselected.split('/')[0] ?? '';
    const options = catalog.map((m) => html`<option value="${m.id}" ${m.id === model ? ' selected' : ''}>${m.id}</option>`).join('');
    const rows = Array.from({ length: FEATURE_ROWS }, (_, i) =>
      featureRow(i, i === 0 ? preselected : '', i === 0 ? (request.query.strength ?? '10') : '0'),
    ).join('');
    const configured = fastify.config.inferenceHosts.length > 0;
    // POST /steer/run checks this token: the session's, or the double-submit cookie's before sign-in.
    const csrf = request.pageSession?.csrfToken ?? anonymousCsrf(fastify, request, reply);
    const notice = configured
      ? ''
      : html`<p class="error" id="no-inference">
          Steering needs an inference server, and this mirror has none (set INFERENCE_HOSTS). Saved results still open at their links.
        </p>`;
    const body = html`<h1>Steer</h1>
      !${notice} !${search}
      <form id="steer-form" method="get" action="/steer" data-csrf="${csrf}">
        <label for="modelId">Model</label
        ><select id="modelId" name="modelId">
          !${options}
        </select>
        <label for="prompt">Prompt</label><textarea id="prompt" name="prompt" rows="3" maxlength="2048" required>I think that</textarea>
        !${rows}
        <div class="row">
          <div>
            <label for="temperature">Temperature</label
            ><input id="temperature" name="temperature" type="number" min="0" max="2" step="any" value="0.5" />
          </div>
          <div>
            <label for="n_tokens">Tokens</label
            ><input id="n_tokens" name="n_tokens" type="number" min="1" max="${STEER_N_TOKENS_MAX}" value="32" />
          </div>
          <div>
            <label for="strength_multiplier">Strength multiplier</label
            ><input id="strength_multiplier" name="strength_multiplier" type="number" min="0" max="10" step="any" value="4" />
          </div>
          <div><label for="seed">Seed</label><input id="seed" name="seed" type="number" value="16" /></div>
          <input type="hidden" name="freq_penalty" value="1" />
        </div>
        <p>
          <button type="submit" ${configured ? '' : ' disabled'}>Steer</button>
          <span class="small muted">Needs script: output streams in as it is generated.</span>
        </p>
      </form>
      <p id="steer-status" role="status" aria-live="polite"></p>
      <div class="grid">
        <section class="card" aria-labelledby="h-default">
          <h2 id="h-default">Default</h2>
          <div id="out-default" class="out"></div>
        </section>
        <section class="card" aria-labelledby="h-steered">
          <h2 id="h-steered">Steered</h2>
          <div id="out-steered" class="out"></div>
        </section>
      </div>
      <p id="steer-share"></p>`;
    return sendPage(request, reply, 'Steer', body);
  });

  fastify.get<{ Params: { id: string } }>('/steer/:id', async (request, reply) => {
    const saved = await loadSteerOutput(fastify.db, request.params.id.slice(0, 64), request.viewer, fastify.config.publicUrl);
    const features = saved.features
      .map(
        (f) =>
          html`<li>
            <a href="${featurePath(f)}">${f.modelId} · ${f.layer} · ${f.index}</a> strength ${num(f.strength)}
            !${f.neuron.explanations[0] ? html` · ${f.neuron.explanations[0].description}` : ''}
          </li>`,
      )
      .join('');
    const s = saved.settings;
    const body = html`<h1>Steering result</h1>
      <p class="small muted">
        temperature ${num(s.temperature)} · ${s.n_tokens} tokens · seed ${num(s.seed)} · strength multiplier ${num(s.strength_multiplier)} ·
        ${s.steer_method}
      </p>
      <h2>Features</h2>
      <ul>
        !${features}
      </ul>
      <h2>Prompt</h2>
      <div class="card out">${saved.inputText}</div>
      <div class="grid">
        <section class="card" aria-labelledby="h-default">
          <h2 id="h-default">Default</h2>
          <div class="out" id="out-default">${saved.DEFAULT.raw}</div>
        </section>
        <section class="card" aria-labelledby="h-steered">
          <h2 id="h-steered">Steered</h2>
          <div class="out" id="out-steered">${saved.STEERED.raw}</div>
        </section>
      </div>
      <p class="small muted">As JSON: POST /api/steer-load with {"steerOutputId": "${saved.id}"}</p>`;
    return sendPage(request, reply, 'Steering result', body);
  });
}
