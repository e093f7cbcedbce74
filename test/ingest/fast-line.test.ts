// The line scanner (src/ingest/fast-line.ts) against the general path (JSON.parse, toRow, the
// encoder's push), differentially: on every line of a corpus of awkward ones, the scanner either
// gives up (and writes nothing) or writes exactly the bytes the general path writes, with the same
// parent key; and a line the general path rejects is never taken by the scanner.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryEncodable, BinaryRowEncoder, BinaryValueError } from '../../src/db/import/copy-binary.js';
import { fastLineEncoder } from '../../src/ingest/fast-line.js';
import { lineConverter, PARENTS, specFor } from '../../src/ingest/line-convert.js';

// Absent timestamps are "now" to the second: both paths must see the same now.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-01-02T03:04:05.678Z'));
});
afterAll(() => vi.useRealTimers());

const base = {
  id: 'act-1',
  modelId: 'gpt2-small',
  layer: '6-res-jb',
  index: '7',
  creatorId: 'u1',
  dataSource: 'Skylion007/openwebtext',
  tokens: ['Ġcafé', '\n', "ĠO'Brien", '🙂', 'Ġ日本', 'a"b\\c', '\t'],
  maxValue: 9.775827,
  minValue: 0,
  values: [1.479465, 0, 0, 1.190266, 0.403872, 0, 9.775827],
  maxValueTokenIndex: 6,
  dfaValues: [],
  dfaMaxValue: null,
  dfaTargetIndex: null,
  binContains: null,
  binMin: null,
  binMax: null,
};
const json = (over: Record<string, unknown>) => JSON.stringify({ ...base, ...over });
/** The base line with `field`'s value written as raw JSON text. */
const raw = (field: string, text: string) => JSON.stringify({ ...base, [field]: '@@' }).replace('"@@"', text);
const without = (field: string) => JSON.stringify({ ...base, [field]: undefined });

const numbers = [
  '0',
  '-0',
  '1',
  '-1',
  '0.1',
  '1e-7',
  '1E-7',
  '-1.5e+3',
  '123456789012345',
  '1234567890123456789',
  '0.000000000000000000000000123',
  '1e22',
  '1e23',
  '1e-22',
  '1e-23',
  '4.9e-324',
  '2e-324',
  '1.7976931348623157e308',
  '1e999',
  '-1e999',
  '1e-999',
  '9007199254740993',
  '0.30000000000000004',
  '3.141592653589793238462643383279',
  '00',
  '01',
  '1.',
  '.5',
  '+1',
  '1e',
  '1e+',
  '-',
  'NaN',
  'Infinity',
  '0x10',
  '1.0',
  '7.00',
  '1e2',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  'true',
  'null',
  '"1"',
  '[]',
  '{}',
  'nul',
  'nullx',
  '1 2',
];
const strings = [
  '"plain"',
  '""',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\ud83d\\ude42"',
  '"\\ud83d"',
  '"\\ude42"',
  '"\\ud83dx"',
  '"\\ud83d\\u0041"',
  '"\\u00e9\\u65e5"',
  '"\\u00E9"',
  '"\\uZZZZ"',
  '"\\u12"',
  '"\\x41"',
  '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
  '"tab\there"',
  '"\u0001"',
  '"é"',
  '"\u2028\u2029"',
  '"\ufeff"',
  '7',
  'null',
  'true',
  '["a"]',
];

const corpus: string[] = [
  json({}),
  JSON.stringify(base, null, 2).replaceAll('\n', ' '),
  JSON.stringify(base, null, '\t').replaceAll('\n', '\r'),
  ` \t${json({})} \r`,
  `\ufeff${json({})}`,
  `${json({})}x`,
  `${json({})},`,
  json({}).slice(0, -1),
  json({}).replace(',', ',,'),
  json({}).replace('}', ',}'),
  '{}',
  '[]',
  '"x"',
  'null',
  '',
  '   ',
  json({ extra: 1 }),
  json({ zIndices: [[1], [2]] }),
  json({ zKIndices: [1, 2], zQIndices: [3, null], zValues: [0.5, null] }),
  json({ zKIndices: [1.5] }),
  json({ zKIndices: [2147483648] }),
  json({ tokens: ['a', null, 'b'] }),
  json({ tokens: [] }),
  json({ tokens: null, values: null, dfaValues: null }),
  json({ tokens: [1] }),
  json({ tokens: [['a']] }),
  json({ tokens: 'a' }),
  json({ values: [1, null, 2] }),
  json({ values: [[1]] }),
  json({ values: [{}] }),
  json({ dataSource: null, dataIndex: 'x' }),
  json({ modelId: null }),
  json({ index: 7 }),
  json({ maxValueTokenIndex: 7.0 }),
  json({ createdAt: '2024-01-01T00:00:00' }),
  json({ createdAt: 'yesterday' }),
  json({ __proto__: 1 } as Record<string, unknown>),
  without('id'),
  without('createdAt'),
  without('tokens'),
  without('values'),
  without('maxValue'),
  json({ modelId: 'm\u0000x' }),
  json({ layer: 'l\u0000' }),
  json({ id: 'dup' }).replace('{', '{"id":"first",'),
  json({}).replace('"id"', '"i\\u0064"'),
  json({}).replace('"id"', '"i"'),
  json({}).replace('"id"', '"idx"'),
  json({}).replace('"id"', '"id\\""'),
  json({}).replace('"id"', '"id'),
  json({}).replace('"tokens":[', '"tokens" : [ '),
  json({}).replace('"values":[', '"values":[ \t'),
  json({}).replace(/,/g, ' , '),
  json({}).replace(/:/g, ' :\t'),
  Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('latin1'),
  ...numbers.flatMap((n) => [
    raw('maxValue', n),
    raw('values', `[${n}]`),
    raw('values', `[0,${n},1]`),
    raw('maxValueTokenIndex', n),
    raw('zKIndices', `[${n}]`),
  ]),
  ...strings.flatMap((s) => [raw('id', s), raw('modelId', s), raw('tokens', `[${s}]`), raw('tokens', `["x",${s}]`), raw('dataSource', s)]),
];

/** What the general path writes for a line: bytes and key, or its reject reason. */
function general(table: string, line: string) {
  if (line.trim() === '') return { reason: 'blank' };
  const converted = lineConverter(table, {})(line);
  if ('reason' in converted) return { reason: converted.reason };
  const encoder = new BinaryRowEncoder(specFor(table).columns);
  try {
    encoder.push(converted.row);
  } catch (error) {
    if (error instanceof BinaryValueError) return { reason: error.message };
    throw error;
  }
  return { bytes: Buffer.from(encoder.take()), key: converted.parentKey ?? [] };
}

function fast(table: string, bytes: Buffer) {
  const encoder = new BinaryRowEncoder(specFor(table).columns, 8);
  encoder.bytes(Buffer.from('prefix'), 0, 6); // what a batch already holds must survive a give-up
  const key = fastLineEncoder(specFor(table), PARENTS[table]?.fields, encoder)(bytes);
  const out = Buffer.from(encoder.take());
  expect(out.subarray(0, 6).toString()).toBe('prefix');
  return { key, bytes: out.subarray(6) };
}

describe('fast line scanner', () => {
  const encodable = ['Activation', 'Model', 'SourceSet', 'Source', 'Neuron', 'SourceRelease'].filter((t) => binaryEncodable(specFor(t)));

  it('agrees with the general path on every line of the corpus, or gives up', () => {
    let taken = 0;
    for (const line of corpus) {
      for (const bytes of [Buffer.from(line, 'utf8'), Buffer.from(line, 'latin1')]) {
        const expected = general('Activation', bytes.toString('utf8'));
        const got = fast('Activation', bytes);
        if (got.key === undefined) {
          expect(got.bytes.length, line).toBe(0);
          continue;
        }
        taken++;
        expect(expected.reason, line).toBeUndefined();
        expect(got.bytes.equals(expected.bytes!), line).toBe(true);
        expect(got.key, line).toEqual(expected.key);
      }
    }
    // The scanner is really used: most lines of the corpus that are fine are plain.
    expect(taken).toBeGreaterThan(200);
  });

  it('takes valid UTF-8 in strings as it is and gives up on invalid UTF-8 (which the general path turns into U+FFFD)', () => {
    const valid = [
      'c2 80',
      'df bf',
      'e0 a0 80',
      'ed 9f bf',
      'ee 80 80',
      'ef bf bf',
      'f0 90 80 80',
      'f0 9f 99 82',
      'f4 8f bf bf',
      'c3 a9 e6 97 a5',
    ];
    const invalid = [
      '80',
      'bf',
      'c0 80',
      'c1 bf',
      'c2',
      'c2 41',
      'e0 80 80',
      'e0 9f bf',
      'ed a0 80',
      'ed bf bf',
      'e2 82',
      'f0 80 80 80',
      'f0 8f bf bf',
      'f4 90 80 80',
      'f5 80 80 80',
      'ff',
      'f0 9f 99',
    ];
    /** The base line with `field` written as `text`, whose @@ stands for the bytes `hex`. */
    const line = (hex: string, field: string, text = '"@@"') => {
      const [head, tail] = raw(field, text).split('@@') as [string, string];
      return Buffer.concat([Buffer.from(head), Buffer.from(hex.replaceAll(' ', ''), 'hex'), Buffer.from(tail)]);
    };
    for (const [field, text] of [
      ['dataSource', '"@@"'],
      ['id', '"x@@"'],
      ['tokens', '["a@@\\n","b"]'], // in a token, before an escape
    ] as const) {
      for (const hex of valid) {
        const bytes = line(hex, field, text);
        const got = fast('Activation', bytes);
        expect(got.key, hex).toBeDefined();
        expect(got.bytes.equals(general('Activation', bytes.toString('utf8')).bytes!), hex).toBe(true);
        expect(got.bytes.includes(Buffer.from(hex.replaceAll(' ', ''), 'hex')), hex).toBe(true);
      }
      for (const hex of invalid) expect(fast('Activation', line(hex, field, text)).key, hex).toBeUndefined();
    }
  });

  it('takes the plain lines the exporter writes, with their parent key', () => {
    for (const line of [json({}), json({ tokens: ['a', 'b'], values: [1e-7, 0.25] }), without('createdAt')]) {
      const got = fast('Activation', Buffer.from(line));
      expect(got.key).toEqual(['gpt2-small', '6-res-jb', '7']);
      expect(got.bytes.equals(general('Activation', line).bytes!)).toBe(true);
    }
  });

  it('agrees on other tables whose rows are binary encoded', () => {
    for (const table of encodable.filter((t) => t !== 'Activation')) {
      const line = JSON.stringify({ id: 'x', modelId: 'm', layer: 'l', index: '1', name: 'n', setName: 's' });
      const expected = general(table, line);
      const got = fast(table, Buffer.from(line));
      if (got.key === undefined) continue;
      expect(expected.reason).toBeUndefined();
      expect(got.bytes.equals(expected.bytes!)).toBe(true);
    }
  });
});

describe('readNumber', () => {
  it('reads what JSON.parse reads, to the last bit, on random decimals', async () => {
    const { readNumber } = await import('../../src/ingest/fast-number.js');
    let seed = 17;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
    const out = { value: NaN };
    for (let k = 0; k < 50_000; k++) {
      const int = rand() < 0.3 ? '0' : String(1 + Math.floor(rand() * 9)) + digits(Math.floor(rand() * 8));
      const frac = rand() < 0.8 ? `.${digits(1 + Math.floor(rand() * 17))}` : '';
      const exp = rand() < 0.3 ? `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 40)}` : '';
      const text = `${rand() < 0.2 ? '-' : ''}${int}${frac}${exp}`;
      expect(readNumber(Buffer.from(`${text},`), 0, out), text).toBe(text.length);
      expect(Object.is(out.value, JSON.parse(text)), text).toBe(true);
    }
  });
});
