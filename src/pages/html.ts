// Page markup. `html` (ghtml) escapes every interpolated value unless the `$` before it is
// preceded by `!`: `!${…}` is only ever used for markup this module's own templates made.
import { html } from 'ghtml';
import type { Viewer } from '../services/access/viewer.js';
import { ASSET_PATHS } from './assets.js';

export { html };

export interface PageFrame {
  title: string;
  viewer: Viewer | null;
  /** The session's CSRF token, for the sign-out form. */
  csrfToken?: string | undefined;
  /** The page's own path, so that "Sign in" can come back to it. */
  path: string;
}

export const featurePath = (f: { modelId: string; layer: string; index: string }) =>
  `/${encodeURIComponent(f.modelId)}/${encodeURIComponent(f.layer)}/${encodeURIComponent(f.index)}`;
export const sourcePath = (modelId: string, sourceId: string) => `/${encodeURIComponent(modelId)}/${encodeURIComponent(sourceId)}`;

/** A number as the dashboards show it: 3 significant digits, no exponent for everyday sizes. */
export function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000 || abs < 0.001) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/** A density (fraction of tokens) as a percentage. */
export const percent = (fraction: number | null | undefined) =>
  fraction === null || fraction === undefined ? '–' : `${num(fraction * 100)}%`;

function account(frame: PageFrame): string {
  if (!frame.viewer) return html`<a href="/sign-in?next=${encodeURIComponent(frame.path)}">Sign in</a>`;
  return html`<form method="post" action="/sign-out" class="inline">
    <input type="hidden" name="csrf" value="${frame.csrfToken ?? ''}" />
    <span class="who">Signed in as <strong>${frame.viewer.name}</strong></span>
    <button type="submit" class="link">Sign out</button>
  </form>`;
}

export function layout(frame: PageFrame, body: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="data:," />
        <title>${frame.title} · Neuronpedia mirror</title>
        <link rel="stylesheet" href="${ASSET_PATHS.css}" />
        <script src="${ASSET_PATHS.js}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <nav aria-label="Site">
            <a href="/" class="brand">Neuronpedia mirror</a>
            <a href="/available-resources">Models</a>
            <a href="/search-explanations">Search</a>
            <a href="/steer">Steer</a>
          </nav>
          <div class="account">!${account(frame)}</div>
        </header>
        <main id="main">!${body}</main>
        <footer class="foot"><a href="/api-doc">API</a> · served by this mirror, no external requests</footer>
      </body>
    </html>`;
}

/** A table of features (the source page, lists): rows already rendered, one per feature. */
export function featureTable(firstHeader: string, rows: string, caption = ''): string {
  return html`<div class="scroll">
    <table>
      !${
        caption
          ? html`<caption class="muted small">
              ${caption}
            </caption>`
          : ''
      }
      <thead>
        <tr>
          <th scope="col">${firstHeader}</th>
          <th scope="col">Top explanation</th>
          <th scope="col" class="n">Max act</th>
          <th scope="col" class="n">Density</th>
        </tr>
      </thead>
      <tbody>
        !${rows}
      </tbody>
    </table>
  </div>`;
}
