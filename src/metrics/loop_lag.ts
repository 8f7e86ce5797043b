/**
 * How long the event loop was held up, for `clicker_event_loop_lag_seconds`:
 * a timer due every {@linkcode LOOP_LAG_INTERVAL_MS} notes how late it ran,
 * and the longest delay since the last read is the figure. Work that holds
 * the loop for longer than the interval shows within one interval of its
 * length; shorter holds show in part or not at all.
 *
 * The runtime's `monitorEventLoopDelay` (`node:perf_hooks`) can't serve under
 * Deno: it records a few microseconds of timer jitter, never the time the
 * loop was blocked.
 *
 * @module
 */

/** How often the timer is due: 10 wake-ups a second, a fraction of a millisecond of CPU. */
export const LOOP_LAG_INTERVAL_MS = 100;

/** Runs `run` after `ms`; the returned function cancels it. */
export type Schedule = (run: () => void, ms: number) => () => void;

/** Options of {@linkcode LoopLag}. */
export interface LoopLagOptions {
  /** How often the timer is due (default {@linkcode LOOP_LAG_INTERVAL_MS}). */
  readonly intervalMs?: number;
  /** Reads the clock (default `performance.now`). */
  readonly now?: () => number;
  /** Runs the timer (default: a timer that doesn't keep the process alive). */
  readonly schedule?: Schedule;
}

/** Watches the event loop from creation until {@linkcode LoopLag.stop}. */
export class LoopLag {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #schedule: Schedule;
  #max = 0;
  #due = 0;
  #cancel: (() => void) | undefined;

  constructor(options: LoopLagOptions = {}) {
    this.#intervalMs = options.intervalMs ?? LOOP_LAG_INTERVAL_MS;
    this.#now = options.now ?? (() => performance.now());
    this.#schedule = options.schedule ?? unrefTimeout;
    this.#arm();
  }

  /** The longest the loop was held up since the last call (ms); then starts over. */
  takeMax(): number {
    const max = this.#max;
    this.#max = 0;
    return max;
  }

  /** Stops the timer. */
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #arm(): void {
    this.#due = this.#now() + this.#intervalMs;
    this.#cancel = this.#schedule(() => {
      this.#max = Math.max(this.#max, this.#now() - this.#due);
      this.#arm();
    }, this.#intervalMs);
  }
}

function unrefTimeout(run: () => void, ms: number): () => void {
  const timer = setTimeout(run, ms);
  Deno.unrefTimer(timer);
  return () => clearTimeout(timer);
}
