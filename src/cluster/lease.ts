/**
 * The leader's lease: one server at a time holds a Redis key naming it
 * (`SET key token NX PX ttl`) and extends it every third of its length with
 * a compare-and-extend script. A leader that stops answering (killed,
 * frozen, cut off) loses the key when it expires, and another server takes
 * it. The holder counts itself leader only until its last extension would
 * have run out, measured from when it was sent, so a frozen leader that
 * wakes up knows it may no longer lead before Redis tells it so; and every
 * step a leader takes is fenced by the token in Redis anyway.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Redis } from "./redis_connection.ts";
import { RedisScript } from "./redis_script.ts";
import { errorMessage } from "../log/error_message.ts";
import type { ProblemLog } from "../log/problem_log.ts";

const log = getLogger(["clicker", "cluster"]);

/** KEYS[1] lease. ARGV: token, ttl ms. 1 when extended, 0 when not held by the token. */
const EXTEND = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`);

/** KEYS[1] lease. ARGV: token. Deletes the lease if the token holds it. */
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Options of {@linkcode Lease}. */
export interface LeaseOptions {
  readonly redis: Redis;
  /** The lease's key. */
  readonly key: string;
  /** This server's id, the start of every token it holds. */
  readonly serverId: string;
  /** The lease's length in ms (default 1500); it is extended every third of it. */
  readonly ttlMs?: number;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** Where a lost lease is reported (default: the `clicker.cluster` logger). */
  readonly log?: ProblemLog;
}

/** One server's hold, or not, on the leader's lease. */
export class Lease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #serverId: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #log: ProblemLog;
  #token: string | undefined;
  #validUntil = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #controller = new AbortController();
  #changes = 0;

  constructor(options: LeaseOptions) {
    this.#redis = options.redis;
    this.#key = options.key;
    this.#serverId = options.serverId;
    this.#ttlMs = options.ttlMs ?? 1500;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? log;
  }

  /** How often this server took or lost the lease so far. */
  get changes(): number {
    return this.#changes;
  }

  /** Whether this server holds the lease now. */
  get held(): boolean {
    return this.#token !== undefined && this.#now() < this.#validUntil;
  }

  /** The token of the lease held, for fencing; `undefined` when not held. */
  get token(): string | undefined {
    return this.held ? this.#token : undefined;
  }

  /** Aborts when the lease held now is lost or released. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The lease's length in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Takes the lease if nobody holds it; resolves with whether this server holds it now. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    const token = `${this.#serverId}:${crypto.randomUUID()}`;
    const sentAt = this.#now();
    const reply = await this.#redis.call("SET", this.#key, token, "NX", "PX", this.#ttlMs);
    if (reply !== "OK") return false;
    this.#token = token;
    this.#validUntil = sentAt + this.#ttlMs;
    this.#controller = new AbortController();
    this.#timer = setInterval(() => void this.#extend(), Math.floor(this.#ttlMs / 3));
    this.#changes++;
    log.info("leader: took the lease", { leader: true });
    return true;
  }

  /** Gives the lease up, so another server takes over at once. Safe to call twice. */
  async release(): Promise<void> {
    const token = this.#token;
    this.#lose();
    if (token === undefined) return;
    log.info("leader: gave the lease up", { leader: false });
    try {
      await RELEASE.run(this.#redis, [this.#key], [token]);
    } catch {
      // Unreachable: the lease runs out by itself.
    }
  }

  async #extend(): Promise<void> {
    const token = this.#token;
    if (token === undefined) return;
    if (!this.held) return this.#lost({ reason: "it ran out before it could be extended" });
    const sentAt = this.#now();
    try {
      const reply = await EXTEND.run(this.#redis, [this.#key], [token, this.#ttlMs]);
      if (this.#token !== token) return;
      if (reply === 1) this.#validUntil = sentAt + this.#ttlMs;
      else this.#lost({ reason: "another server holds it" });
    } catch (error) {
      // Keep trying while the lease may still be ours; `held` turns false when it runs out.
      if (this.#token === token && !this.held) {
        this.#lost({ dependency: "Redis", error: errorMessage(error) });
      }
    }
  }

  #lost(why: Record<string, unknown>): void {
    this.#log.warning("Lost the leader's lease", { ...why, leader: false });
    this.#lose();
  }

  #lose(): void {
    if (this.#token !== undefined) this.#changes++;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#token = undefined;
    this.#validUntil = 0;
    this.#controller.abort();
  }
}
