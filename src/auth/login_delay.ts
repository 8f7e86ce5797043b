/**
 * How long to hold a login for a username that has drawn many attempts
 * (pure). Locking the username would let anyone lock its owner out, so past
 * its free attempts a username only gets slower: each further attempt waits
 * twice as long as the one before, up to a cap the owner can live with.
 *
 * @module
 */

/** Options of {@linkcode loginDelay}. */
export interface LoginDelayOptions {
  /** Attempts per window that wait for nothing. */
  readonly freeAttempts: number;
  /** The first wait, in ms (default 250). */
  readonly stepMs?: number;
  /** The longest wait, in ms (default 4000). */
  readonly maxMs?: number;
}

/** The wait in ms for a login, given the attempts already counted for its username. */
export function loginDelay(attempts: number, options: LoginDelayOptions): number {
  const over = attempts - options.freeAttempts;
  if (over < 0) return 0;
  const maxMs = options.maxMs ?? 4000;
  // Past about 30 doublings the power is far over any cap; stop it overflowing.
  return Math.min(maxMs, (options.stepMs ?? 250) * 2 ** Math.min(over, 30));
}
