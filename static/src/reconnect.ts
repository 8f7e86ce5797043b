/**
 * How long to wait before the next reconnect attempt: exponential backoff
 * with jitter, so that a classroom of browsers whose server restarted does
 * not knock on its door all in the same millisecond. Pure: the random
 * number comes in as an argument.
 *
 * @module
 */

/** Backoff settings; every field has a default. */
export interface BackoffOptions {
  /** Delay ceiling for attempt 0, before jitter. Default 500 ms. */
  readonly baseMs?: number;
  /** Largest delay ceiling. Default 15 000 ms. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry),
 * given `random` in [0, 1): "equal jitter", between half the ceiling and
 * the ceiling, where the ceiling is `baseMs × factor^attempt` capped at `maxMs`.
 */
export function reconnectDelay(
  attempt: number,
  random: number,
  options: BackoffOptions = {},
): number {
  const { baseMs = 500, maxMs = 15_000, factor = 2 } = options;
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(
      `Cannot compute a delay: attempt must be a whole number ≥ 0, got ${attempt}`,
    );
  }
  const ceiling = Math.min(maxMs, baseMs * factor ** Math.min(attempt, 64));
  const unit = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + unit * ceiling / 2);
}

/** Failed attempts after which the page calls itself offline rather than reconnecting. */
export const OFFLINE_AFTER_ATTEMPTS = 6;
