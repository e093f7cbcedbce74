// GPT-2 tokenizer ids against known GPT-2 ids (tiktoken gpt2 / Hugging Face gpt2), special tokens
// anywhere in the text, multi-byte characters split across tokens, and per-token decoding.
import { describe, expect, it } from 'vitest';
import { gpt2Tokenizer } from '../../src/engine/tokenizer.js';
import { expected } from './fixtures.js';

const tok = gpt2Tokenizer();

describe('GPT-2 tokenizer', () => {
  it.each([
    ['Hello world', [15496, 995]],
    [' the', [262]],
    ['<|endoftext|>', [50256]],
    ['this is about dogs!', [5661, 318, 546, 6844, 0]],
    ['I often think about', [40, 1690, 892, 546]],
    ...expected.prompts.map((p) => [p.text, p.ids] as [string, number[]]),
  ])('%j', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
    expect(tok.decode(ids)).toBe(text);
  });

  it('recognises <|endoftext|> in the middle of the text, and adds no BOS of its own', () => {
    expect(tok.encode('x<|endoftext|>y')).toEqual([87, 50256, 88]);
    expect(tok.encode('<|endoftext|>Hello world')).toEqual([50256, 15496, 995]);
    expect(tok.encode('Hello<|endoftext|><|endoftext|> world')).toEqual([15496, 50256, 50256, 995]);
    expect(tok.isSpecial(50256)).toBe(true);
    expect(tok.isSpecial(995)).toBe(false);
  });

  it('splits a multi-byte character into byte tokens and shows each piece as U+FFFD', () => {
    // 日 is E6 97 A5; GPT-2's byte alphabet puts byte 0x97 at id 245 and 0xA5 at id 98.
    const ids = tok.encode(' 日');
    expect(ids.slice(-2)).toEqual([245, 98]);
    expect(tok.decode(ids)).toBe(' 日');
    expect(tok.tokenStrings(ids)).toEqual([' \uFFFD', '\uFFFD', '\uFFFD']);
    expect(tok.tokenStrings(tok.encode('héllo'))).toEqual(['h', 'é', 'llo']);
  });

  it('shows tokens as Neuronpedia does: the text of each id, BOS as <|endoftext|>', () => {
    expect(tok.tokenStrings([50256, 15496, 995])).toEqual(['<|endoftext|>', 'Hello', ' world']);
  });
});
