// Reads several async streams at once and yields each item as it arrives, tagged with its
// stream's position, so a DEFAULT and a STEERED generation stream side by side. Stopping early
// (or an error in one stream) closes the others.

export async function* mergeStreams<T>(streams: Array<AsyncIterator<T>>): AsyncGenerator<{ from: number; value: T }> {
  const next = (from: number) => streams[from]!.next().then((result) => ({ from, result }));
  const pending = new Map(streams.map((_, from) => [from, next(from)]));
  try {
    while (pending.size > 0) {
      const { from, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(from);
        continue;
      }
      pending.set(from, next(from));
      yield { from, value: result.value };
    }
  } finally {
    // Unfinished streams are closed; their pending reads may then reject, which nobody awaits.
    for (const [from, read] of pending) {
      read.catch(() => {});
      void streams[from]!.return?.(undefined)?.catch(() => {});
    }
  }
}
