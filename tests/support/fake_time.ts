/**
 * A clock and a sleep that tests drive by hand, so the round loop runs
 * through many rounds without waiting for real.
 *
 * @module
 */

import { setImmediate } from "node:timers";

interface Sleeper {
  readonly wake: number;
  readonly resolve: () => void;
}

/** Fake `now()` and `sleep()`; `advance()` moves time and wakes sleepers in order. */
export class FakeTime {
  now = 0;
  readonly #sleepers = new Set<Sleeper>();
  /** Every wait the code asked for, in ms. */
  readonly waits: number[] = [];

  constructor(start = 0) {
    this.now = start;
  }

  readonly clock = (): number => this.now;

  readonly sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    this.waits.push(ms);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const sleeper = { wake: this.now + ms, resolve };
      this.#sleepers.add(sleeper);
      signal.addEventListener("abort", () => {
        this.#sleepers.delete(sleeper);
        reject(signal.reason);
      }, { once: true });
    });
  };

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.#sleepers.size;
  }

  /** Moves time forward by `ms`, waking each sleeper at its own time and letting it run. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await settle();
      let next: Sleeper | undefined;
      for (const s of this.#sleepers) {
        if (s.wake <= target && (!next || s.wake < next.wake)) next = s;
      }
      if (!next) break;
      this.#sleepers.delete(next);
      this.now = Math.max(this.now, next.wake);
      next.resolve();
    }
    this.now = target;
    await settle();
  }
}

/**
 * Lets pending promise chains, and the work they hand to `setImmediate`, run:
 * a few turns of the event loop. Not `setTimeout(0)`: nested timers are held
 * back 4 ms each, which made every `advance()` cost tens of real milliseconds.
 * Code on a fake clock does no real I/O, so nothing here waits for any.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
