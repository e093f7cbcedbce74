// Pieces of the feature dashboard: activations as shaded tokens, logits, the density histogram.
import type { ActivationRow } from '../services/feature/types.js';
import { html, num } from './html.js';

// Byte-level BPE markers and mis-decoded UTF-8 as neuronpedia.org's replaceHtmlAnomalies shows
// them (apps/webapp/lib/utils/activations.ts): GPT-2's Ġ is a space, Ċ a newline (↵), SentencePiece's
// ▁ a space, âĢĶ an em dash. Tabs are made visible (⇥), since HTML would fold them into a space.
const TOKEN_ANOMALIES: Record<string, string> = {
  âĢĶ: '—',
  âĢĵ: '–',
  âĢľ: '“',
  âĢĿ: '”',
  âĢĺ: '‘',
  âĢĻ: '’',
  âĢĭ: ' ',
  Ġ: ' ',
  Ċ: '↵',
  '<0x0A>': '↵',
  '\n': '↵',
  ĉ: '⇥',
  '\t': '⇥',
  '▁': ' ',
};
const ANOMALY = new RegExp(Object.keys(TOKEN_ANOMALIES).join('|'), 'g');

/** A token as the dashboards show it. */
export const showToken = (token: string) => token.replace(ANOMALY, (match) => TOKEN_ANOMALIES[match]!);

/**
 * One activation record as text with each firing token shaded by its value relative to the
 * feature's max (`--a`), its value on hover or focus (data-v, shown by the script, with the raw
 * token, data-raw, when the shown one differs), and the max token outlined and focusable. The
 * "Show values" box writes every value after its token (CSS only). Tokens that do not fire are
 * plain text: most of a record, and most of a page's bytes.
 */
export function activationTokens(act: Pick<ActivationRow, 'tokens' | 'values' | 'maxValueTokenIndex'>, scale: number): string {
  let out = '';
  act.tokens.forEach((token, i) => {
    const value = act.values[i] ?? 0;
    const shown = showToken(token);
    const text = html`${shown}`;
    if (value <= 0 && i !== act.maxValueTokenIndex) {
      out += text;
      return;
    }
    const a = scale > 0 ? Math.max(0, Math.min(1, value / scale)) : 0;
    // The max token takes keyboard focus (one stop per record); the box shows the rest.
    const max = i === act.maxValueTokenIndex ? ' max" tabindex="0' : '';
    const raw = shown === token ? '' : html` data-raw="${token}"`;
    out += `<span class="t${max}" style="--a:${a.toFixed(2)}" data-v="${num(value)}"${raw}>${text}</span>`;
  });
  return out;
}

/** The box that writes each firing token's value after it: no script, one keyboard stop. */
export const showValuesBox = html`<p class="small">
  <label class="check"><input type="checkbox" id="show-values" /> Show each token's activation</label>
</p>`;

export function activationList(acts: ActivationRow[], scale: number): string {
  return acts
    .map(
      (a) =>
        html`<div class="act">
          <div class="small muted">max ${num(a.maxValue)}</div>
          <p class="acts">!${activationTokens(a, scale)}</p>
        </div>`,
    )
    .join('');
}

export function logitList(label: string, cls: string, tokens: string[], values: number[]): string {
  const items = tokens
    .slice(0, 10)
    .map((t, i) => html`<li><span>${showToken(t)}</span><span class="${cls}">${num(values[i])}</span></li>`)
    .join('');
  return html`<div>
    <h3 class="small">${label}</h3>
    ${items ? '' : 'none'}
    <ol class="logits">
      !${items}
    </ol>
  </div>`;
}

/** Bars as an inline SVG (no chart library, nothing to fetch), with a text summary for screen readers. */
export function histogram(heights: number[], values: number[], label: string): string {
  if (heights.length === 0) return html`<p class="muted small">No histogram in the data.</p>`;
  const top = Math.max(...heights, 1e-12);
  const width = 100 / heights.length;
  const bars = heights
    .map(
      (h, i) =>
        `<rect x="${(i * width).toFixed(2)}" y="${(100 - (h / top) * 100).toFixed(2)}" width="${(width * 0.9).toFixed(2)}" height="${((h / top) * 100).toFixed(2)}"/>`,
    )
    .join('');
  const range = values.length ? `${num(values[0])} to ${num(values[values.length - 1])}` : '';
  return html`<svg
      class="hist"
      viewBox="0 0 100 100"
      preserveAspectRatio="none"
      role="img"
      aria-label="${label}: ${heights.length} bars, activations ${range}"
    >
      <g fill="currentColor">!${bars}</g>
    </svg>
    <div class="small muted">${range}</div>`;
}
