/**
 * Runs at most a given number of tasks at once; the rest wait their turn in
 * order. Password hashing goes through one: Argon2 runs on worker threads, but
 * twenty at once on a small machine starve the thread that serves the game
 * (measured: event-loop lag p99 62 ms with no limit, 4 ms with one at a time,
 * on one core).
 *
 * @module
 */

/** A counting semaphore for async tasks. */
export class TaskLimit {
  readonly #max: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /** At most `max` tasks run at once. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`max must be a whole number ≥ 1, got ${max}`);
    }
    this.#max = max;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `task` when a place is free, and resolves with its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#max) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The place passes straight to the next task, so the count stays right.
      if (next) next();
      else this.#active--;
    }
  }
}

/** One fewer than the cores, at least one: hashing leaves a core to the game. */
export function defaultHashConcurrency(): number {
  return Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1);
}
