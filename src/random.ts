// A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence, so
// sampled generations, the scorers' markings, sample exports and fuzz cases can all be replayed.
// A leaf module: every layer (the engine included) may use it.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
