/**
 * Counts attempts per key in fixed windows (logins per username and address,
 * registrations per address). Time is passed in; nothing here reads a clock.
 *
 * Callers count an attempt before the costly work it starts (a password
 * hash), in the same synchronous step as the check, and refund it when the
 * attempt turns out not to count: checking first and counting after an
 * await would let any number of parallel attempts pass the check.
 *
 * @module
 */

interface Window {
  count: number;
  resetAt: number;
}

/** Options of {@linkcode AttemptLimit}. */
export interface AttemptLimitOptions {
  /** Attempts allowed per window. */
  readonly limit: number;
  /** Window length in ms. */
  readonly windowMs: number;
  /** Keys kept at most before expired ones are swept (default 10,000). */
  readonly maxKeys?: number;
}

/**
 * Attempts per key in a fixed window, wherever they are counted: here in
 * memory ({@linkcode AttemptLimit}), or in Redis for several servers. A
 * shared store answers with promises; `take` checks and counts in one step.
 */
export interface AttemptCounter {
  /** Counts one attempt for `key` unless it is at its limit: 0 when counted, else ms to wait. */
  take(key: string, nowMs: number): number | Promise<number>;
  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string, nowMs: number): number | Promise<number>;
  /** Attempts counted for `key` in its current window. */
  count(key: string, nowMs: number): number | Promise<number>;
  /** Takes back one attempt counted for `key` in its current window. */
  refund(key: string, nowMs: number): void | Promise<void>;
  /** Forgets `key`, after a success that clears earlier failures. */
  clear(key: string): void | Promise<void>;
}

/** Makes the counter named `name` (e.g. `"registrations"`) with these options. */
export type AttemptCounterFactory = (name: string, options: AttemptLimitOptions) => AttemptCounter;

/** Attempts per key in a fixed window. */
export class AttemptLimit implements AttemptCounter {
  readonly #windows = new Map<string, Window>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(options: AttemptLimitOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string, nowMs: number): number {
    const window = this.#windows.get(key);
    if (!window || window.resetAt <= nowMs || window.count < this.#limit) return 0;
    return window.resetAt - nowMs;
  }

  /** Counts one attempt for `key` unless it is at its limit: 0 when counted, else ms to wait. */
  take(key: string, nowMs: number): number {
    const wait = this.retryAfter(key, nowMs);
    if (wait === 0) this.record(key, nowMs);
    return wait;
  }

  /** Attempts counted for `key` in its current window. */
  count(key: string, nowMs: number): number {
    const window = this.#windows.get(key);
    return window && window.resetAt > nowMs ? window.count : 0;
  }

  /** Counts one attempt for `key`. */
  record(key: string, nowMs: number): void {
    const window = this.#windows.get(key);
    if (window && window.resetAt > nowMs) {
      window.count++;
      return;
    }
    if (this.#windows.size >= this.#maxKeys) this.#sweep(nowMs);
    this.#windows.set(key, { count: 1, resetAt: nowMs + this.#windowMs });
  }

  /** Takes back one attempt counted for `key` in its current window. */
  refund(key: string, nowMs: number): void {
    const window = this.#windows.get(key);
    if (window && window.resetAt > nowMs && window.count > 0) window.count--;
  }

  /** Forgets `key`, after a success that clears earlier failures. */
  clear(key: string): void {
    this.#windows.delete(key);
  }

  #sweep(nowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetAt <= nowMs) this.#windows.delete(key);
    }
    // Still full of live windows: drop the oldest rather than grow without bound.
    while (this.#windows.size >= this.#maxKeys) {
      const oldest = this.#windows.keys().next().value;
      if (oldest === undefined) break;
      this.#windows.delete(oldest);
    }
  }
}
