// GPT-2's byte-level BPE tokenizer. The vocabulary and merges come from js-tiktoken (MIT), whose
// `r50k_base` ranks are GPT-2's (the same ids as Hugging Face's gpt2 tokenizer: 256 bytes,
// 50,000 merges, `<|endoftext|>` = 50256), and whose BPE is pure TypeScript.
import { Tiktoken } from 'js-tiktoken/lite';
import r50kBase from 'js-tiktoken/ranks/r50k_base';

export const ENDOFTEXT = '<|endoftext|>';

export interface Tokenizer {
  readonly bosTokenId: number;
  readonly vocabSize: number;
  /** Ids of the text, special tokens recognised anywhere in it (as the HF tokenizer does); no BOS. */
  encode(text: string): number[];
  /** Text of a sequence of ids. */
  decode(ids: number[]): string;
  /** Each id's own text, as Neuronpedia shows tokens: a piece of a multibyte character is U+FFFD. */
  tokenStrings(ids: number[]): string[];
  isSpecial(id: number): boolean;
  /**
   * The ids of token strings as Neuronpedia stores them (one string per token); undefined when a
   * string is no single token's text or several tokens' (pieces of a multibyte character are all U+FFFD).
   */
  idsOfStrings(tokens: string[]): number[] | undefined;
}

let shared: Tiktoken | undefined;
let byString: Map<string, number> | undefined;

export function gpt2Tokenizer(): Tokenizer {
  // Building the rank table takes ~100 ms and ~30 MB: one per process.
  shared ??= new Tiktoken(r50kBase);
  const bpe = shared;
  const specials = new Set(Object.values(r50kBase.special_tokens));
  return {
    bosTokenId: 50256,
    vocabSize: 50257,
    // 'all': `<|endoftext|>` in the text becomes 50256 (js-tiktoken's default would throw).
    encode: (text) => bpe.encode(text, 'all'),
    decode: (ids) => bpe.decode(ids),
    // TextDecoder (non-fatal) replaces each invalid sequence with U+FFFD, like Python's
    // bytes.decode(errors='replace') that Hugging Face's decode uses.
    tokenStrings: (ids) => ids.map((id) => bpe.decode([id])),
    isSpecial: (id) => specials.has(id),
    idsOfStrings(tokens) {
      if (!byString) {
        byString = new Map();
        const ambiguous = new Set<string>();
        for (let id = 0; id < 50257; id++) {
          const text = bpe.decode([id]);
          if (byString.has(text)) ambiguous.add(text);
          byString.set(text, id);
        }
        for (const text of ambiguous) byString.delete(text);
      }
      const ids: number[] = [];
      for (const t of tokens) {
        const id = byString.get(t);
        if (id === undefined) return undefined;
        ids.push(id);
      }
      return ids;
    },
  };
}
