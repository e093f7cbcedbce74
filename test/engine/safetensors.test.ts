// The safetensors reader: f32 (aligned and not), f16 (incl. subnormals, infinities), bf16,
// tensors of other dtypes skipped, and clear errors for broken files.
import { describe, expect, it } from 'vitest';
import { halfToFloat, parseSafetensors, readSafetensors } from '../../src/engine/safetensors.js';
import { modelDir, saeDir } from './fixtures.js';

function file(header: object, data: Buffer, pad = 0): Buffer {
  const h = Buffer.from(JSON.stringify(header) + ' '.repeat(pad));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

describe('safetensors', () => {
  it('widens f16 and bf16 to float32 exactly', () => {
    const f16 = Buffer.alloc(10);
    [0x3c00, 0xc000, 0x0001, 0x7c00, 0x3555].forEach((v, i) => f16.writeUInt16LE(v, 2 * i));
    const bf16 = Buffer.alloc(4);
    bf16.writeUInt16LE(0x3f80, 0); // 1.0
    bf16.writeUInt16LE(0xc0a0, 2); // -5.0
    const t = parseSafetensors(
      file(
        { a: { dtype: 'F16', shape: [5], data_offsets: [0, 10] }, b: { dtype: 'BF16', shape: [2], data_offsets: [10, 14] } },
        Buffer.concat([f16, bf16]),
      ),
    );
    expect([...t.get('a')!.data]).toEqual([1, -2, 2 ** -24, Infinity, Math.fround(halfToFloat(0x3555))]);
    expect(halfToFloat(0x3555)).toBeCloseTo(0.33325, 5);
    expect([...t.get('b')!.data]).toEqual([1, -5]);
  });

  it('reads f32 at an unaligned offset, and skips tensors of other dtypes', () => {
    const data = Buffer.alloc(1 + 8);
    data.writeUInt8(1, 0);
    data.writeFloatLE(1.5, 1);
    data.writeFloatLE(-3.25, 5);
    const t = parseSafetensors(
      file({ m: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] }, x: { dtype: 'F32', shape: [2], data_offsets: [1, 9] } }, data),
    );
    expect(t.has('m')).toBe(false);
    expect([...t.get('x')!.data]).toEqual([1.5, -3.25]);
    expect(t.get('x')!.shape).toEqual([2]);
  });

  it('reads the committed fixtures: an f16 embedding, an unpadded header with bf16, an f16 SAE tensor', async () => {
    const main = await readSafetensors(`${modelDir('tiny-gpt2')}/model.safetensors`);
    expect(main.get('wte.weight')!.shape).toEqual([50257, 32]);
    const prefixed = await readSafetensors(`${modelDir('tiny-gpt2-prefixed')}/model.safetensors`);
    expect(prefixed.get('transformer.wte.weight')!.shape).toEqual([50257, 8]);
    expect(prefixed.get('transformer.h.0.attn.bias')!.data[1]).toBe(0); // causal mask buffer, f32
    const sae = await readSafetensors(`${saeDir('standard-pre6')}/sae_weights.safetensors`);
    expect(sae.get('W_dec')!.shape).toEqual([40, 32]);
  });

  it('says what is wrong with a broken file', () => {
    expect(() => parseSafetensors(Buffer.alloc(4))).toThrow(/too short/);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(1000n);
    expect(() => parseSafetensors(len)).toThrow(/past the end/);
    expect(() => parseSafetensors(file({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)))).toThrow(
      /tensor x has 8 bytes for shape \[3\]/,
    );
  });
});
