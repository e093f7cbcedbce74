// The inference stand-in's tokenizer and hash, shared by its endpoint handlers.

export const BOS = '<|endoftext|>';

/** FNV-1a: a small stable hash, so answers depend only on the request. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** BOS, then whitespace-led words: "hello world" → [BOS, "hello", " world"]. */
export function tokenize(prompt: string): string[] {
  return [BOS, ...(prompt.match(/\s*\S+/g) ?? [])];
}
