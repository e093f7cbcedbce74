// Float arrays come back as numbers from both databases, through the fast path and the fallback
// alike (NULL, NaN, Infinity, several dimensions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { fastFloatArrayParser } from '../src/db/float-arrays.js';
import { buildTestApp, type TestContext } from './helper.js';

describe('float array parsing', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => ctx?.close());

  it('reads plain, empty, nested and special float arrays', async () => {
    const [row] = await queryRows<Record<string, unknown>>(
      ctx.database.db,
      sql`SELECT '{1.5,-2,3e-05,1e+20}'::real[] AS a, '{}'::float8[] AS b, '{{1,2},{3,4}}'::float8[] AS c, '{1,NULL,NaN,Infinity,-Infinity}'::float8[] AS d, '[0:1]={7,8}'::real[] AS e`,
    );
    expect(row).toEqual({
      a: [1.5, -2, 3e-5, 1e20],
      b: [],
      c: [
        [1, 2],
        [3, 4],
      ],
      d: [1, null, NaN, Infinity, -Infinity],
      e: [7, 8],
    });
  });

  it('hands anything but plain numbers to the fallback', () => {
    const seen: string[] = [];
    const parse = fastFloatArrayParser((text) => (seen.push(text), 'fallback'));
    expect(parse('{0.25,-1}')).toEqual([0.25, -1]);
    expect(parse('{1,NULL}')).toBe('fallback');
    expect(parse('{1,,2}')).toBe('fallback'); // not valid JSON either
    expect(seen).toEqual(['{1,NULL}', '{1,,2}']);
  });
});
