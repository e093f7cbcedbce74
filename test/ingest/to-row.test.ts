// The record → row conversion, without streams or a database.
import { describe, expect, it } from 'vitest';
import { activation, explanation, neuron, sourceSet } from '../../src/db/schema/index.js';
import { RecordError, toRow } from '../../src/ingest/to-row.js';
import { tableSpec } from '../../src/db/import/table-spec.js';

const neuronSpec = tableSpec(neuron, 'Neuron');
const col = (spec: ReturnType<typeof tableSpec>, row: unknown[], name: string) => row[spec.columns.findIndex((c) => c.name === name)];

describe('toRow', () => {
  it('keeps exported fields, ignores unknown ones and fills defaults', () => {
    const row = toRow(neuronSpec, { modelId: 'm', layer: '6-x', index: 7, maxActApprox: 1.5, pos_str: ['a'], somethingNew: true });
    expect(row).toHaveLength(neuronSpec.columns.length);
    expect(col(neuronSpec, row, 'index')).toBe('7'); // numeric index → string, as the column is text
    expect(col(neuronSpec, row, 'maxActApprox')).toBe(1.5);
    expect(col(neuronSpec, row, 'pos_str')).toEqual(['a']);
    expect(col(neuronSpec, row, 'neg_str')).toEqual([]);
    expect(col(neuronSpec, row, 'vectorDefaultSteerStrength')).toBe(10);
    expect(col(neuronSpec, row, 'umap_x')).toBeNull();
    expect(typeof col(neuronSpec, row, 'createdAt')).toBe('string');
  });

  it('names the field of a wrong type', () => {
    expect(() => toRow(neuronSpec, { modelId: 'm', layer: 'l', index: '1', maxActApprox: 'high' })).toThrow(
      new RecordError('maxActApprox: expected a finite number, got the string "high"'),
    );
    expect(() => toRow(neuronSpec, { modelId: 'm', layer: 'l', index: '1', pos_values: [1, 'x'] })).toThrow(
      /pos_values\[1\]: expected a finite number/,
    );
    expect(() => toRow(neuronSpec, { modelId: 'm', index: '1' })).toThrow(/layer: required field is missing/);
    expect(() => toRow(neuronSpec, [1, 2])).toThrow(/expected a JSON object/);
  });

  it('rejects non-finite numbers (1e999 parses as Infinity), which would poison every read of the row', () => {
    const record = (extra: object) =>
      JSON.parse(`{"modelId":"m","layer":"l","index":"1",${JSON.stringify(extra).slice(1, -1)}}`.replace('"INF"', '1e999'));
    expect(() => toRow(neuronSpec, record({ maxActApprox: 'INF' }))).toThrow(
      new RecordError('maxActApprox: expected a finite number, got number Infinity'),
    );
    expect(() => toRow(neuronSpec, record({ pos_values: [1, 'INF'] }))).toThrow(
      /pos_values\[1\]: expected a finite number, got number Infinity/,
    );
  });

  it('replaces NUL in text, as upstream does', () => {
    const spec = tableSpec(explanation, 'Explanation');
    const row = toRow(spec, { id: 'e', modelId: 'm', layer: 'l', index: '1', description: 'a\u0000b', authorId: 'x' });
    expect(col(spec, row, 'description')).toBe('a b');
  });

  it('reads embeddings in pgvector text form and checks their dimension', () => {
    const spec = tableSpec(explanation, 'Explanation');
    const base = { id: 'e', modelId: 'm', layer: 'l', index: '1', description: 'd', authorId: 'x' };
    const vector = Array.from({ length: 256 }, (_, i) => i / 7);
    expect(col(spec, toRow(spec, { ...base, embedding: `[${vector.join(',')}]` }), 'embedding')).toBe(`[${vector.join(',')}]`);
    expect(col(spec, toRow(spec, { ...base, embedding: null }), 'embedding')).toBeNull();
    expect(() => toRow(spec, { ...base, embedding: '[1,2,3]' })).toThrow(/embedding: expected 256 dimensions, got 3/);
    expect(() => toRow(spec, { ...base, embedding: 'not a vector' })).toThrow(/embedding: not a vector/);
  });

  it('reads Python isoformat dates as UTC', () => {
    const spec = tableSpec(sourceSet, 'SourceSet');
    const row = toRow(spec, {
      modelId: 'm',
      name: 'n',
      description: '',
      creatorName: 'c',
      creatorId: 'x',
      createdAt: '2024-03-01T12:34:56.789000',
    });
    expect(col(spec, row, 'createdAt')).toBe('2024-03-01T12:34:56.789Z');
    expect(col(spec, row, 'urls')).toEqual([]);
    expect(() => toRow(spec, { modelId: 'm', name: 'n', description: '', creatorName: 'c', creatorId: 'x', visibility: 'SECRET' })).toThrow(
      /visibility: expected one of PUBLIC, UNLISTED, PRIVATE/,
    );
  });

  it('requires the activation essentials', () => {
    const spec = tableSpec(activation, 'Activation');
    expect(() =>
      toRow(spec, { id: 'a', modelId: 'm', layer: 'l', index: '1', tokens: ['x'], values: [1], maxValue: 1, minValue: 0, creatorId: 'c' }),
    ).toThrow(/maxValueTokenIndex: required field is missing/);
  });
});
