// GET /api/explanation/export: every explanation of one source that the caller may read, as a
// stream (a source can hold a million explanations: the answer is never built in memory).
import type { Db } from '../../db/client.js';
import { pageSourceExplanations } from '../../db/queries/explanations.js';
import { NotFound } from '../../errors.js';
import { readableSources, sourceKey } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';

const PAGE_SIZE = 1000;

export type ExportFormat = 'json' | 'jsonl';

/**
 * Checks access first (404 for a source the caller may not read, before any byte is sent), then
 * returns the text chunks of the export: a JSON array (what upstream answered and SAELens's
 * tutorial parses with `response.json()`), or JSON Lines.
 */
export async function exportSourceExplanations(
  db: Db,
  params: { modelId: string; layer: string; format: ExportFormat },
  viewer: Viewer | null,
): Promise<AsyncGenerator<string>> {
  const readable = await readableSources(db, [params], viewer);
  if (!readable.has(sourceKey(params.modelId, params.layer))) throw new NotFound();
  const filter = { modelId: params.modelId, layer: params.layer, viewerId: viewer?.id ?? null, admin: viewer?.admin ?? false };
  return (async function* chunks() {
    const json = params.format === 'json';
    if (json) yield '[';
    let afterId = '';
    let first = true;
    for (;;) {
      const rows = await pageSourceExplanations(db, filter, afterId, PAGE_SIZE);
      if (rows.length === 0) break;
      const lines = rows.map((row) => JSON.stringify(row));
      yield json ? (first ? '' : ',') + lines.join(',') : lines.join('\n') + '\n';
      first = false;
      afterId = rows[rows.length - 1]!.id;
      if (rows.length < PAGE_SIZE) break;
    }
    if (json) yield ']';
  })();
}
