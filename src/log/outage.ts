/**
 * Counts one dependency's failures so the log tells an outage once, not on
 * every retry: the first failure is logged, the repeats are counted, and the
 * first success after them is logged once with the count and how long it
 * lasted. Pure; the caller reads the clock and writes the log.
 *
 * @module
 */

/** An outage that just ended. */
export interface OutageEnded {
  /** Failures in the outage, the first included. */
  readonly failures: number;
  /** From the first failure to the success that ended it, in ms. */
  readonly durationMs: number;
}

/** One dependency's run of failures, if any. */
export class Outage {
  #since: number | undefined;
  #failures = 0;

  /** Whether the last attempt failed. */
  get down(): boolean {
    return this.#since !== undefined;
  }

  /** Failures since the outage began; 0 when up. */
  get failures(): number {
    return this.#failures;
  }

  /** A failure at `now`; true when it begins an outage (the one to log). */
  fail(now: number): boolean {
    this.#failures++;
    if (this.#since !== undefined) return false;
    this.#since = now;
    return true;
  }

  /** A success at `now`; the outage it ends, or `undefined` when there was none. */
  recover(now: number): OutageEnded | undefined {
    if (this.#since === undefined) return undefined;
    const ended = { failures: this.#failures, durationMs: now - this.#since };
    this.#since = undefined;
    this.#failures = 0;
    return ended;
  }
}
