/** Latencies of one measured series and what they say. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% of the values at or below it. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) throw new Error('no values');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
};

export const summarize = (values: readonly number[]): Summary => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    max: sorted.at(-1)!,
  };
};

/**
 * Runs `op` once per item with at most `concurrency` in flight (workers pulling from one queue) and
 * returns each call's latency in ms (`performance.now()`), in item order, and the wall time.
 */
export const measure = async <T>(
  items: readonly T[],
  concurrency: number,
  op: (item: T, index: number) => Promise<unknown>,
): Promise<{ latencies: number[]; wallMs: number }> => {
  const latencies = new Array<number>(items.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        const t0 = performance.now();
        await op(items[index]!, index);
        latencies[index] = performance.now() - t0;
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
};

/** Runs `op` for each item, `concurrency` at a time, untimed (setup and warm-up). */
export const inParallel = async <T, R>(
  items: readonly T[],
  concurrency: number,
  op: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await op(items[index]!, index);
      }
    }),
  );
  return results;
};
