/**
 * Clock, sleep and random waits for the benchmark processes.
 *
 * @module
 */

/** Wall-clock time in epoch milliseconds with sub-millisecond precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` milliseconds, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A time in milliseconds drawn evenly from `lo` to `hi`. */
export function randomMs(lo: number, hi: number): number {
  return lo + (hi - lo) * Math.random();
}
