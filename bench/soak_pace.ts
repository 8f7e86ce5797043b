/**
 * A person's pace at the click button: bursts of clicks a few times a second,
 * pauses of a few seconds, now and then a longer break, and for an idler
 * breaks of minutes. Pure: the random source is passed in.
 *
 * @module
 */

/** Options of {@linkcode HumanPace}. */
export interface PaceOptions {
  /** Takes breaks of 2 to 5 minutes now and then (default false). */
  readonly idler?: boolean;
  /** Default `Math.random`. */
  readonly random?: () => number;
}

/** Yields how long to wait before each next click. */
export class HumanPace {
  readonly #idler: boolean;
  readonly #random: () => number;
  #left = 0;

  constructor(options: PaceOptions = {}) {
    this.#idler = options.idler ?? false;
    this.#random = options.random ?? Math.random;
  }

  #between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.#random();
  }

  /** Milliseconds to wait before the next click. */
  next(): number {
    if (this.#left > 0) {
      this.#left--;
      return this.#between(120, 400);
    }
    this.#left = Math.floor(this.#between(5, 40));
    const roll = this.#random();
    if (this.#idler && roll < 0.3) return this.#between(120_000, 300_000);
    if (roll < 0.1) return this.#between(20_000, 90_000);
    return this.#between(1000, 10_000);
  }

  /** Whether to buy a multiplier now that the score covers it (about one time in five). */
  buys(): boolean {
    return this.#random() < 0.2;
  }
}
