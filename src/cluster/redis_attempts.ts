/**
 * Login and registration attempts counted in Redis, so their limits hold
 * across servers: one fixed-window counter per key (`INCR`, expiring with
 * its window), checked and counted in one script. While Redis can't be
 * reached, each server counts in memory instead: the limits then hold per
 * server, and logins keep working.
 *
 * @module
 */

import {
  type AttemptCounter,
  type AttemptCounterFactory,
  AttemptLimit,
  type AttemptLimitOptions,
} from "../auth/attempt_limit.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { RedisScript } from "./redis_script.ts";

/** KEYS[1] counter. ARGV: limit, window ms. 0 when counted, else ms until the window ends. */
const TAKE = new RedisScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then return ttl end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(ARGV[2])
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS[1] counter. ARGV: limit. Ms until the window ends when at the limit, else 0. */
const RETRY_AFTER = new RedisScript(`
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then return 0 end
return math.max(0, redis.call('PTTL', KEYS[1]))
`);

/** KEYS[1] counter. Takes one attempt back, never below 0. */
const REFUND = new RedisScript(`
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
`);

/** A limit too high to reach stands for "never refuses" (Lua numbers can't be Infinity here). */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** One named counter in Redis, falling back to memory while Redis is out of reach. */
class RedisAttemptCounter implements AttemptCounter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #local: AttemptLimit;

  constructor(redis: Redis, prefix: string, options: AttemptLimitOptions) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#limit = Number.isFinite(options.limit) ? options.limit : NO_LIMIT;
    this.#windowMs = options.windowMs;
    this.#local = new AttemptLimit(options);
  }

  async take(key: string, nowMs: number): Promise<number> {
    try {
      return Number(
        await TAKE.run(this.#redis, [this.#prefix + key], [this.#limit, this.#windowMs]),
      );
    } catch {
      return this.#local.take(key, nowMs);
    }
  }

  async retryAfter(key: string, nowMs: number): Promise<number> {
    try {
      return Number(await RETRY_AFTER.run(this.#redis, [this.#prefix + key], [this.#limit]));
    } catch {
      return this.#local.retryAfter(key, nowMs);
    }
  }

  async count(key: string, nowMs: number): Promise<number> {
    try {
      return Number(await this.#redis.call("GET", this.#prefix + key) ?? 0);
    } catch {
      return this.#local.count(key, nowMs);
    }
  }

  async refund(key: string, nowMs: number): Promise<void> {
    try {
      await REFUND.run(this.#redis, [this.#prefix + key], []);
    } catch {
      this.#local.refund(key, nowMs);
    }
  }

  async clear(key: string): Promise<void> {
    try {
      await this.#redis.call("DEL", this.#prefix + key);
    } catch {
      this.#local.clear(key);
    }
  }
}

/** Counters named after their purpose, kept in Redis under `keys.attempts`. */
export function redisAttempts(redis: Redis, keys: ClusterKeys): AttemptCounterFactory {
  return (name, options) => new RedisAttemptCounter(redis, `${keys.attempts}${name}:`, options);
}
