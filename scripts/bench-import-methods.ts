// The methods bench:import compares its importer with, on the same activation files.
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Database } from '../src/db/client.js';
import { encodeCopyRows } from '../src/db/import/copy-text.js';
import type { TableSpec } from '../src/db/import/table-spec.js';
import { toRow } from '../src/ingest/to-row.js';

/** Neuronpedia's method: whole files in memory, INSERT … SELECT FROM jsonb_to_recordset, 5,000 lines a statement. */
export async function timeNeuronpediaMethod(database: Database, files: string[], spec: TableSpec): Promise<number> {
  const types: Record<string, string> = {
    text: 'text',
    float: 'float8',
    integer: 'int4',
    timestamp: 'timestamp',
    json: 'jsonb',
    boolean: 'bool',
  };
  const first = JSON.parse(gunzipSync(fs.readFileSync(files[0]!)).toString('utf8').split('\n')[0]!) as Record<string, unknown>;
  const columns = spec.columns.filter((c) => c.name in first);
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  const recordset = columns.map((c) => `"${c.name}" ${types[c.kind]}${c.array ? '[]' : ''}`).join(', ');
  const statement = `INSERT INTO "Activation" (${list}) SELECT ${list} FROM jsonb_to_recordset($1::jsonb) AS t(${recordset}) ON CONFLICT DO NOTHING`;
  const t0 = performance.now();
  for (const file of files) {
    const lines = gunzipSync(fs.readFileSync(file)).toString('utf8').replaceAll('\\u0000', ' ').split('\n').filter(Boolean);
    for (let i = 0; i < lines.length; i += 5000) {
      const param = `[${lines.slice(i, i + 5000).join(',')}]`;
      if (database.pglite) await database.pglite.query(statement, [param]);
      else await database.pool!.query(statement, [param]);
    }
  }
  return performance.now() - t0;
}

/** The activation files' rows, encoded once for psql's \copy (COPY text format). */
export function encodeForCopy(files: string[], spec: TableSpec, dir: string): string {
  const copyFile = path.join(dir, 'activations.copy');
  const out = fs.openSync(copyFile, 'w');
  for (const file of files) {
    const lines = gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
    fs.writeSync(
      out,
      encodeCopyRows(
        lines.map((l) => toRow(spec, JSON.parse(l))),
        spec.columns,
      ),
    );
  }
  fs.closeSync(out);
  return copyFile;
}
