/**
 * What limits the attempts that cost a password hash: registrations and
 * logins, counted per client address and username, and the line the hashes
 * wait in. Nothing here speaks HTTP; the account routes turn a refusal into
 * 429 or 503.
 *
 * Every attempt that will cost a hash is counted before the hash, in the
 * same synchronous step as the limit's check, so parallel requests can't all
 * pass the check before any is counted; an attempt that turns out not to
 * count is refunded.
 *
 * - Logins: failures per (username, address) pair lock that pair out after
 *   `loginAttempts`, and per address after 4× that. Per username alone they
 *   only slow answers down (see `loginDelay`): a hard lock per username
 *   would let anyone lock its owner out from elsewhere.
 * - Registrations: at most `registrationsPerHour` attempts that cost a hash
 *   per address; a name or email found taken before hashing costs nothing.
 * - Hashes wait in a bounded line with a bounded share per address; what
 *   doesn't fit is refused at once.
 *
 * @module
 */

import { type AttemptCounter, type AttemptCounterFactory, AttemptLimit } from "./attempt_limit.ts";
import { loginDelay, type LoginDelayOptions } from "./login_delay.ts";
import { defaultHashConcurrency, TaskLimit } from "./task_limit.ts";

const FIFTEEN_MINUTES = 15 * 60_000;
const HOUR = 60 * 60_000;

/** Options of {@linkcode AccountLimits}. */
export interface AccountLimitOptions {
  /** Failed logins per username and address per 15 minutes (an address gets 4×). */
  readonly loginAttempts: number;
  /** Registration attempts that cost a hash, per address per hour. */
  readonly registrationsPerHour: number;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** Password hashes running at once (default: one fewer than the cores, at least 1). */
  readonly hashConcurrency?: number;
  /** Password hashes waiting for a turn at most (default 16). */
  readonly hashQueue?: number;
  /** Password hashes running or waiting per address at most (default 2). */
  readonly hashQueuePerAddress?: number;
  /** The first wait of a login for a username past its attempts, in ms (default 250). */
  readonly loginDelayStepMs?: number;
  /** The longest wait of a login for a username past its attempts, in ms (default 4000). */
  readonly loginDelayMaxMs?: number;
  /**
   * Where login and registration attempts are counted (default: in this
   * process; several servers count them in Redis).
   */
  readonly attempts?: AttemptCounterFactory;
}

/** A login counted against the limits, or refused by them. */
export type LoginAdmission =
  | {
    readonly ok: false;
    /** How long until the pair or address may try again, in ms. */
    readonly retryAfterMs: number;
  }
  | {
    readonly ok: true;
    /** How long to hold the login before its check, in ms (0: none). */
    readonly delayMs: number;
    /** Takes the attempt back: it never reached its check. */
    refund(): Promise<void>;
    /** The password was right: the pair and username start afresh, and the address gets its attempt back. */
    succeeded(): Promise<void>;
  };

/** The counters and the hash line of registration and login. */
export class AccountLimits {
  /** Registration attempts that cost a hash, per address. */
  readonly registrations: AttemptCounter;
  /** The line password hashes and checks wait in, keyed by address. */
  readonly hashing: TaskLimit;
  readonly #loginsByPair: AttemptCounter;
  readonly #loginsByAddress: AttemptCounter;
  readonly #loginsByName: AttemptCounter;
  readonly #now: () => number;
  readonly #delay: LoginDelayOptions;

  constructor(options: AccountLimitOptions) {
    this.#now = options.now ?? Date.now;
    const counter: AttemptCounterFactory = options.attempts ??
      ((_, limit) => new AttemptLimit(limit));
    this.#loginsByPair = counter("logins-pair", {
      limit: options.loginAttempts,
      windowMs: FIFTEEN_MINUTES,
    });
    this.#loginsByAddress = counter("logins-address", {
      limit: options.loginAttempts * 4,
      windowMs: FIFTEEN_MINUTES,
    });
    // Never refuses: only its count is read, to slow a username's logins down.
    this.#loginsByName = counter("logins-name", { limit: Infinity, windowMs: FIFTEEN_MINUTES });
    this.registrations = counter("registrations", {
      limit: options.registrationsPerHour,
      windowMs: HOUR,
    });
    this.hashing = new TaskLimit({
      concurrency: options.hashConcurrency ?? defaultHashConcurrency(),
      maxWaiting: options.hashQueue ?? 16,
      maxPerKey: options.hashQueuePerAddress ?? 2,
    });
    this.#delay = {
      freeAttempts: options.loginAttempts,
      stepMs: options.loginDelayStepMs,
      maxMs: options.loginDelayMaxMs,
    };
  }

  /**
   * Counts a login of `username` from `address` at `t`, before its check:
   * refused while the pair or the address is over its limit, else admitted,
   * held longer the more attempts its username has drawn.
   */
  async admitLogin(username: string, address: string, t: number): Promise<LoginAdmission> {
    const name = username.toLowerCase();
    const pair = JSON.stringify([name, address]);
    const byPair = this.#loginsByPair;
    const byAddress = this.#loginsByAddress;
    const byName = this.#loginsByName;

    const named = await byName.count(name, t);
    // Each take checks and counts in one step; a pair let in by an address
    // over its limit gets its attempt back.
    let wait = await byPair.take(pair, t);
    if (wait === 0) {
      wait = await byAddress.take(address, t);
      if (wait > 0) await byPair.refund(pair, t);
    }
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    await byName.take(name, t);
    return {
      ok: true,
      delayMs: loginDelay(named, this.#delay),
      refund: async () => {
        const at = this.#now();
        await byPair.refund(pair, at);
        await byAddress.refund(address, at);
        await byName.refund(name, at);
      },
      succeeded: async () => {
        await byPair.clear(pair);
        await byName.clear(name);
        await byAddress.refund(address, this.#now());
      },
    };
  }
}
