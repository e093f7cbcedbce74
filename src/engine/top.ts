// The n largest of many values without sorting them all (a search over 24,576 SAE features keeps
// 25): one pass, keeping a short sorted list of indexes. Order is upstream's stable descending
// sort: ties keep the lower index first.

/** Indexes of the `n` largest of `values[offset .. offset+length)` (relative to offset), largest first. */
export function topIndices(values: ArrayLike<number>, n: number, offset = 0, length = values.length - offset): number[] {
  const top: number[] = [];
  if (n <= 0) return top;
  for (let i = 0; i < length; i++) {
    const v = values[offset + i]!;
    // Not above the current last: it would go after it (a tie goes after the lower index).
    if (top.length === n && !(v > values[offset + top[n - 1]!]!)) continue;
    let at = top.length;
    while (at > 0 && v > values[offset + top[at - 1]!]!) at--;
    top.splice(at, 0, i);
    if (top.length > n) top.pop();
  }
  return top;
}
