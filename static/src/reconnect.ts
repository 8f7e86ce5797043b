/**
 * How long to wait before the next reconnect attempt: the first retry at
 * once, then quickly growing delays with jitter, never more than 5 s apart,
 * so that a classroom of browsers whose server restarted does not knock on
 * its door all in the same millisecond. While the server can't be reached
 * at all, the page also asks it, two to four times a second, whether it is
 * back ({@linkcode probeInterval}), and connects the moment it is. Pure: the
 * random number comes in as an argument.
 *
 * @module
 */

/** Backoff settings; every field has a default. */
export interface BackoffOptions {
  /** Delay ceiling of the second attempt, before jitter. Default 250 ms. */
  readonly baseMs?: number;
  /** Largest delay ceiling. Default 5 000 ms. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry, which
 * goes at once), given `random` in [0, 1): "equal jitter", between half the
 * ceiling and the ceiling, where the ceiling is `baseMs × factor^(attempt−1)`
 * capped at `maxMs`.
 */
export function reconnectDelay(
  attempt: number,
  random: number,
  options: BackoffOptions = {},
): number {
  const { baseMs = 250, maxMs = 5_000, factor = 2 } = options;
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(
      `Cannot compute a delay: attempt must be a whole number ≥ 0, got ${attempt}`,
    );
  }
  if (attempt === 0) return 0;
  const ceiling = Math.min(maxMs, baseMs * factor ** Math.min(attempt - 1, 64));
  const unit = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + unit * ceiling / 2);
}

/**
 * How long to wait between two questions "are you back?" to a server that
 * could not be reached: 250 to 500 ms, so the page is back within a second
 * of the server's return (at most one interval to notice, then the connect,
 * with room to spare on a busy machine), and a room of pages asks at
 * different moments.
 */
export function probeInterval(random: number): number {
  return Math.round(250 + Math.min(Math.max(random, 0), 1) * 250);
}
