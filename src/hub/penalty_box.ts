/**
 * Players kept out for a while after breaking a connection limit: a client
 * closed for flooding would otherwise reconnect at once and flood again, each
 * new connection starting with a fresh budget. Time is passed in.
 *
 * @module
 */

/** Options of {@linkcode PenaltyBox}. */
export interface PenaltyBoxOptions {
  /** How long the first offence keeps a key out, in ms (default 10 s). */
  readonly firstMs?: number;
  /** The longest a key is kept out, in ms (default 5 minutes); each offence doubles the stay. */
  readonly maxMs?: number;
  /** Keys kept at most; the oldest go first (default 10,000). */
  readonly maxKeys?: number;
}

interface Stay {
  until: number;
  ms: number;
}

/** Keys (players) barred until a time, longer for each repeated offence. */
export class PenaltyBox {
  readonly #stays = new Map<string | number, Stay>();
  readonly #firstMs: number;
  readonly #maxMs: number;
  readonly #maxKeys: number;

  constructor(options: PenaltyBoxOptions = {}) {
    this.#firstMs = options.firstMs ?? 10_000;
    this.#maxMs = options.maxMs ?? 300_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Bars `key` from now on: for the first stay, or twice the last one if it offends again soon. */
  bar(key: string | number, nowMs: number): void {
    const last = this.#stays.get(key);
    // An offence within twice the last stay's end counts as a repeat.
    const repeat = last !== undefined && nowMs < last.until + last.ms * 2;
    const ms = repeat ? Math.min(this.#maxMs, last.ms * 2) : this.#firstMs;
    this.#stays.delete(key);
    if (this.#stays.size >= this.#maxKeys) {
      const oldest = this.#stays.keys().next().value;
      if (oldest !== undefined) this.#stays.delete(oldest);
    }
    this.#stays.set(key, { until: nowMs + ms, ms });
  }

  /** Milliseconds until `key` may come back; 0 when it may now. */
  retryAfter(key: string | number, nowMs: number): number {
    const stay = this.#stays.get(key);
    return stay === undefined ? 0 : Math.max(0, stay.until - nowMs);
  }
}
