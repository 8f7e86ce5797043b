/**
 * Runs at most a given number of tasks at once; the rest wait their turn in
 * order, in a line of bounded length and with a bounded share per key.
 * Password hashing goes through one: Argon2 runs on worker threads, but
 * twenty at once on a small machine starve the thread that serves the game
 * (measured: event-loop lag p99 62 ms with no limit, 4 ms with one at a time,
 * on one core). The bounds keep one client address from making everyone else
 * wait behind its hashes: what doesn't fit is refused at once.
 *
 * @module
 */

/** Options of {@linkcode TaskLimit}. */
export interface TaskLimitOptions {
  /** Tasks running at once (a whole number ≥ 1). */
  readonly concurrency: number;
  /** Tasks waiting for a turn at most; more are refused (default: no bound). */
  readonly maxWaiting?: number;
  /** Tasks running or waiting per key at most; more are refused (default: no bound). */
  readonly maxPerKey?: number;
}

/** A counting semaphore for async tasks, with a bounded line. */
export class TaskLimit {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #maxPerKey: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #perKey = new Map<string, number>();

  constructor(options: TaskLimitOptions) {
    this.#concurrency = wholeNumber("concurrency", options.concurrency, 1);
    this.#maxWaiting = wholeNumber("maxWaiting", options.maxWaiting ?? Infinity, 0);
    this.#maxPerKey = wholeNumber("maxPerKey", options.maxPerKey ?? Infinity, 1);
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Tasks of `key` running or waiting. */
  pending(key: string): number {
    return this.#perKey.get(key) ?? 0;
  }

  /**
   * Runs `task` for `key` when a place is free and resolves with its result;
   * returns `undefined` at once, running nothing, when the line or the key's
   * share is full.
   */
  tryRun<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
    const mine = this.pending(key);
    if (mine >= this.#maxPerKey) return undefined;
    const mustWait = this.#active >= this.#concurrency;
    if (mustWait && this.#waiting.length >= this.#maxWaiting) return undefined;
    this.#perKey.set(key, mine + 1);
    if (!mustWait) this.#active++;
    return this.#run(key, task, mustWait);
  }

  async #run<T>(key: string, task: () => Promise<T>, mustWait: boolean): Promise<T> {
    try {
      // Joins the line before the first await, so the bounds checked above still hold.
      if (mustWait) await new Promise<void>((resolve) => this.#waiting.push(resolve));
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The place passes straight to the next task, so the count stays right.
      if (next) next();
      else this.#active--;
      const left = this.pending(key) - 1;
      if (left > 0) this.#perKey.set(key, left);
      else this.#perKey.delete(key);
    }
  }
}

function wholeNumber(name: string, value: number, min: number): number {
  if (value !== Infinity && (!Number.isInteger(value) || value < min)) {
    throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${value}`);
  }
  return value;
}

/** One fewer than the cores, at least one: hashing leaves a core to the game. */
export function defaultHashConcurrency(): number {
  return Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1);
}
