/**
 * The server's wait: cancellable, and on time to the millisecond, since a
 * round ends for every client as late as the server wakes for it. The round
 * loop, and the leader and round feed of several servers, take a
 * {@linkcode Sleep} as a dependency and default to {@linkcode sleep}; tests
 * hand them a fake one that drives time. What runs once later (a throttled
 * message) takes a {@linkcode Schedule}, a timer or one on a given sleep.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";

/** Sleeps `ms`, or rejects when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** How early the default sleep's timer fires before it polls the clock (ms). */
const EARLY_WAKE_MS = 2;

/**
 * The default sleep: resolves once `Date.now()` has moved `ms` past the call,
 * or rejects when `signal` aborts. Timers fire a millisecond or two late, and
 * every client sees a round's end as late as the loop wakes, so the timer
 * wakes a little early and the clock is then polled between I/O callbacks
 * (clicks keep flowing) until the exact millisecond.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const until = Date.now() + ms;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    const poll = () => {
      if (Date.now() < until) {
        immediate = setImmediate(poll);
        return;
      }
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      reject(signal.reason);
    };
    const timer = setTimeout(poll, Math.max(0, ms - EARLY_WAKE_MS));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sleeps `ms` on a plain timer, a millisecond or two late, or rejects when
 * `signal` aborts: for waits where that doesn't matter (keep-alives, a long
 * poll's hold), so none of them polls the clock.
 */
export function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `run` after `ms`; the returned function cancels it. */
export type Schedule = (run: () => void, ms: number) => () => void;

/** The default {@linkcode Schedule}: a plain timer. */
export function timerSchedule(run: () => void, ms: number): () => void {
  const id = setTimeout(run, ms);
  return () => clearTimeout(id);
}

/** A {@linkcode Schedule} that waits on `sleep`: a fake one lets tests drive what runs later. */
export function scheduleOn(sleep: Sleep): Schedule {
  return (run, ms) => {
    const cancel = new AbortController();
    sleep(ms, cancel.signal).then(() => {
      if (!cancel.signal.aborted) run(); // cancelled once it woke, before this turn
    }, () => {});
    return () => cancel.abort();
  };
}
