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
 *   would let anyone lock its owner out from elsewhere. As logins are
 *   counted before their check, logins still in flight fill the limits too:
 *   a refusal that failures alone wouldn't have made says so (`"at-once"`),
 *   so many right logins at once from one address (a classroom behind one
 *   router) are told to try again in a moment, not that they failed.
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
    /**
     * `"failures"`: the pair or address failed too often; `"at-once"`: its
     * limit is full of logins still being checked in this process.
     */
    readonly reason: "failures" | "at-once";
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
    /** The check failed (or could not be made): the attempt stays counted. */
    failed(): void;
  };

/** How soon a login refused for logins in flight may try again, in ms: about a hash's time. */
const AT_ONCE_RETRY_MS = 1000;

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
  readonly #loginLimit: number;
  /** Logins admitted here and not yet checked, per pair and per address key. */
  readonly #inFlight = new Map<string, number>();

  constructor(options: AccountLimitOptions) {
    this.#now = options.now ?? Date.now;
    this.#loginLimit = options.loginAttempts;
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
    const pairKey = `pair ${pair}`;
    const addressKey = `address ${address}`;
    let wait = await byPair.take(pair, t);
    if (wait > 0) {
      return await this.#refused(byPair, pair, pairKey, this.#loginLimit, wait, t);
    }
    wait = await byAddress.take(address, t);
    if (wait > 0) {
      await byPair.refund(pair, t);
      return await this.#refused(byAddress, address, addressKey, this.#loginLimit * 4, wait, t);
    }
    await byName.take(name, t);
    this.#enter(pairKey);
    this.#enter(addressKey);
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.#leave(pairKey);
      this.#leave(addressKey);
      return true;
    };
    return {
      ok: true,
      delayMs: loginDelay(named, this.#delay),
      refund: async () => {
        if (!settle()) return;
        const at = this.#now();
        await byPair.refund(pair, at);
        await byAddress.refund(address, at);
        await byName.refund(name, at);
      },
      succeeded: async () => {
        if (!settle()) return;
        await byPair.clear(pair);
        await byName.clear(name);
        await byAddress.refund(address, this.#now());
      },
      failed: () => void settle(),
    };
  }

  /** A refusal by `counter`, told apart by whether failures alone fill its limit. */
  async #refused(
    counter: AttemptCounter,
    key: string,
    flightKey: string,
    limit: number,
    wait: number,
    t: number,
  ): Promise<LoginAdmission> {
    const inFlight = this.#inFlight.get(flightKey) ?? 0;
    if (inFlight > 0 && await counter.count(key, t) - inFlight < limit) {
      return { ok: false, reason: "at-once", retryAfterMs: Math.min(wait, AT_ONCE_RETRY_MS) };
    }
    return { ok: false, reason: "failures", retryAfterMs: wait };
  }

  #enter(key: string): void {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
  }

  #leave(key: string): void {
    const left = (this.#inFlight.get(key) ?? 1) - 1;
    if (left > 0) this.#inFlight.set(key, left);
    else this.#inFlight.delete(key);
  }
}
