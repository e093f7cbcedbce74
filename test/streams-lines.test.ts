// splitLines: exact lines and numbers whatever the chunking, and bounded memory on a huge line.
import { describe, expect, it } from 'vitest';
import { splitLineByteBatches, splitLines, type Line } from '../src/streams/lines.js';

async function* chunks(parts: (Buffer | string)[]) {
  for (const part of parts) yield part;
}

async function collect(input: AsyncIterable<Buffer | string>, max = 1024): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of splitLines(input, max)) out.push(line);
  return out;
}

/** The byte batches' lines, decoded once their batch is out (their bytes may be reused after it). */
async function collectBytes(input: AsyncIterable<Buffer | string>, max = 1024): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of splitLineByteBatches(input, max)) {
    expect(batch.length).toBeGreaterThan(0);
    for (const line of batch) out.push('data' in line ? { number: line.number, text: line.data.toString('utf8') } : line);
  }
  return out;
}

const texts = (lines: Line[]) => lines.map((l) => ('text' in l ? l.text : `<${l.bytes}>`));

/** Every split of `bytes` into two or three chunks gives the same lines as one chunk, decoded or as byte batches. */
async function everySplit(bytes: Buffer, max = 1024) {
  const whole = await collect(chunks([bytes]), max);
  for (let i = 0; i <= bytes.length; i++) {
    const two = [bytes.subarray(0, i), bytes.subarray(i)];
    expect(await collect(chunks(two), max)).toEqual(whole);
    expect(await collectBytes(chunks(two), max)).toEqual(whole);
    const j = Math.min(bytes.length, i + 3);
    expect(await collectBytes(chunks([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]), max)).toEqual(whole);
  }
  // And one byte at a time.
  const bytewise = [...bytes].map((b) => Buffer.from([b]));
  expect(await collect(chunks(bytewise), max)).toEqual(whole);
  expect(await collectBytes(chunks(bytewise), max)).toEqual(whole);
  return whole;
}

describe('splitLines', () => {
  it('splits on \\n and \\r\\n and keeps a final line without newline', async () => {
    const lines = await collect(chunks(['a\nbb\r\n\nccc']));
    expect(lines).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'bb' },
      { number: 3, text: '' },
      { number: 4, text: 'ccc' },
    ]);
    expect(await collect(chunks(['x\n']))).toEqual([{ number: 1, text: 'x' }]);
    expect(await collect(chunks([]))).toEqual([]);
  });

  it('decodes multi-byte characters split across chunks, and \\r\\n split across chunks', async () => {
    const text = 'é€😀\r\n{"t":"日本語"}\r\nlast 😀';
    const lines = await everySplit(Buffer.from(text, 'utf8'));
    expect(texts(lines)).toEqual(['é€😀', '{"t":"日本語"}', 'last 😀']);
  });

  it('reports an over-long line by its size and keeps numbering the lines after it', async () => {
    const long = 'x'.repeat(50);
    const input = Buffer.from(`ok\n${long}\r\n${'y'.repeat(20)}\nend`, 'utf8');
    const lines = await everySplit(input, 20);
    expect(lines).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, tooLong: true, bytes: 50, head: long },
      { number: 3, text: 'y'.repeat(20) },
      { number: 4, text: 'end' },
    ]);
    // A line of exactly the limit plus its \r is not over it; one byte more is.
    expect(texts(await everySplit(Buffer.from('abc\r\nabcd\r\n'), 3))).toEqual(['abc', '<4>']);
    // An over-long final line without newline.
    expect(texts(await everySplit(Buffer.from('a\nabcdef'), 3))).toEqual(['a', '<6>']);
  });

  it('keeps only the head of an over-long line', async () => {
    const lines = await collect(chunks(['z'.repeat(1000), 'z'.repeat(1000), '\nok']), 100);
    expect(lines[0]).toMatchObject({ number: 1, tooLong: true, bytes: 2000 });
    expect((lines[0] as { head: string }).head).toBe('z'.repeat(256));
    expect(lines[1]).toEqual({ number: 2, text: 'ok' });
  });

  it('memory stays flat on a 300 MB line', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const total = 300 * 1024 * 1024;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    async function* huge() {
      yield Buffer.from('first\n');
      for (let sent = 0; sent < total; sent += chunk.length) {
        if ((sent & 0xffffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
        yield chunk;
      }
      yield Buffer.from('\nsecond\n');
    }
    const lines = await collect(huge(), 16 * 1024 * 1024);
    expect(texts(lines)).toEqual(['first', `<${total}>`, 'second']);
    // The line itself would be 300 MB; the splitter holds at most the limit (16 MB) plus a chunk.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
