// Binary COPY (src/db/import/copy-binary.ts) stores what text COPY stores, value for value, on
// Postgres: nulls, empty arrays, NULL elements, non-ASCII text, tabs and newlines, integers at
// their limits, doubles at full precision and timestamps; a value an integer cannot hold is refused
// before it reaches the server. The embedded database imports by INSERT and has no binary COPY.
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BINARY_COPY_TRAILER,
  binaryCopyHeader,
  binaryEncodable,
  BinaryRowEncoder,
  BinaryValueError,
} from '../src/db/import/copy-binary.js';
import { encodeCopyRows } from '../src/db/import/copy-text.js';
import type { TableSpec, Value } from '../src/db/import/table-spec.js';
import { specFor } from '../src/ingest/load-lines.js';
import { toRow } from '../src/ingest/to-row.js';
import { openTestDatabase } from './helper.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

it('covers the activation table, not tables with vectors or json', () => {
  expect(binaryEncodable(specFor('Activation'))).toBe(true);
  expect(binaryEncodable(specFor('Explanation'))).toBe(false);
});

it('refuses an integer out of range, leaving no partial row', () => {
  const spec = specFor('Activation');
  const encoder = new BinaryRowEncoder(spec.columns, 16);
  const row = toRow(spec, record({ maxValueTokenIndex: 2 ** 31 }));
  expect(() => encoder.push(row)).toThrow(BinaryValueError);
  expect(encoder.length).toBe(0);
});

function record(extra: Record<string, unknown> = {}) {
  return {
    id: 'a1',
    modelId: 'm',
    layer: '0-x',
    index: '1',
    creatorId: 'u',
    tokens: ['Ġthe', '日本\t', 'a\nb', '\\"q"', '🙂', ''],
    values: [0, -1.5, 1e-300, 0.1 + 0.2, Number.MAX_VALUE, -0],
    maxValue: 0.30000000000000004,
    minValue: -1.5,
    maxValueTokenIndex: 2_147_483_647,
    ...extra,
  };
}

describe.skipIf(!onPostgres)('on Postgres', () => {
  let t: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    t = await openTestDatabase();
  });
  afterAll(() => t.drop());

  async function copy(spec: TableSpec, table: string, data: Buffer | string, binary: boolean) {
    const client = await t.database.pool!.connect();
    try {
      const columns = spec.columns.map((c) => `"${c.name}"`).join(', ');
      const stream = client.query(copyFrom(`COPY "${table}" (${columns}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`));
      stream.end(data);
      await finished(stream);
    } finally {
      client.release();
    }
  }

  it('stores what text COPY stores', async () => {
    const spec = specFor('Activation');
    const rows: Value[][] = [
      toRow(spec, record()),
      toRow(
        spec,
        record({
          id: 'a2',
          dataIndex: null,
          values: [],
          tokens: [],
          dfaValues: [1, null, 2],
          zQIndices: [-2_147_483_648],
          createdAt: '2024-03-01T12:34:56.789',
        }),
      ),
      toRow(
        spec,
        record({
          id: 'a3',
          binMin: null,
          dfaTargetIndex: 0,
          lossValues: [null],
          logitContributions: '{"a":"\\t"}',
          createdAt: '1999-12-31T23:59:59.001Z',
        }),
      ),
    ];
    const pool = t.database.pool!;
    await pool.query(`CREATE TABLE "ActText" (LIKE "Activation"); CREATE TABLE "ActBinary" (LIKE "Activation")`);
    await copy(spec, 'ActText', encodeCopyRows(rows, spec.columns), false);
    const encoder = new BinaryRowEncoder(spec.columns, 64); // small: it must grow
    rows.forEach((row) => encoder.push(row));
    await copy(spec, 'ActBinary', Buffer.concat([binaryCopyHeader(), encoder.take(), BINARY_COPY_TRAILER]), true);
    const read = async (table: string) =>
      (
        await pool.query(
          `SELECT to_jsonb(t)::text AS j, "values"::float8[] = ARRAY[0, -1.5, 1e-300, 0.30000000000000004, 1.7976931348623157e308, 0]::float8[] AS exact FROM "${table}" t ORDER BY id`,
        )
      ).rows;
    const binary = await read('ActBinary');
    expect(binary).toEqual(await read('ActText'));
    expect(binary[0].exact).toBe(true);
    expect(binary).toHaveLength(3);
  });
});
