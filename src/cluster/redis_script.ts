/**
 * A Lua script run by its SHA-1 (`EVALSHA`), sent in full (`EVAL`) only when
 * Redis doesn't know it yet, e.g. after a restart emptied its script cache.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Redis } from "./redis_connection.ts";

/** A Lua script and how many of its arguments are keys. */
export class RedisScript {
  readonly #lua: string;
  readonly #sha: string;

  constructor(lua: string) {
    this.#lua = lua;
    this.#sha = createHash("sha1").update(lua).digest("hex");
  }

  /** Runs the script with `keys` and `args`; resolves with its reply. */
  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.call("EVALSHA", this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.call("EVAL", this.#lua, keys.length, ...keys, ...args);
    }
  }
}
