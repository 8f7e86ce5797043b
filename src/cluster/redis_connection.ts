/**
 * Opens connections to the Redis several servers share, set up to fail fast:
 * while Redis is unreachable a command is refused at once (no offline queue,
 * one try), so a click answers an error instead of hanging; the connection
 * keeps trying to come back by itself, every 250 ms at most.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { Outage } from "../log/outage.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import { errorMessage } from "../log/error_message.ts";
// @ts-types="./ioredis_types.d.ts"
import { Redis } from "ioredis";

const log = getLogger(["clicker", "cluster"]);

/** A connection to Redis (typed by `ioredis_types.d.ts`). */
export type { Redis };

/** Options of {@linkcode openRedis}. */
export interface OpenRedisOptions {
  /** The name `CLIENT LIST` shows for this connection. */
  readonly name: string;
  /** How long a command may wait for its reply, in ms (default 2000). */
  readonly commandTimeoutMs?: number;
  /** Where connection trouble goes, once per outage (default: the `clicker.cluster` logger). */
  readonly log?: ProblemLog;
}

/** Connections being closed on purpose: what goes wrong with them then is not reported. */
const closing = new WeakSet<Redis>();

/** Connects to `url` and resolves once the connection is ready (rejects if it can't be). */
export async function openRedis(url: string, options: OpenRedisOptions): Promise<Redis> {
  const problems = options.log ?? log;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: 2000,
    connectionName: options.name,
    retryStrategy: (times) => Math.min(times * 50, 250),
  });
  const outage = new Outage();
  redis.on("error", (error) => {
    // A command still in flight when we quit hits the closed socket (write EPIPE): not an outage.
    if (closing.has(redis)) return;
    if (!outage.fail(Date.now())) return;
    problems.error("Redis connection failed", {
      error: errorMessage(error),
      dependency: "Redis",
      connection: options.name,
    });
  });
  redis.on("ready", () => {
    const back = outage.recover(Date.now());
    if (back === undefined) return;
    log.info(`Redis (${options.name}): connected again`, {
      dependency: "Redis",
      connection: options.name,
      failures: back.failures,
      durationMs: back.durationMs,
    });
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/** Closes a connection, politely when Redis answers, at once when it doesn't. */
export async function closeRedis(redis: Redis): Promise<void> {
  closing.add(redis);
  if (redis.status === "ready") {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through: cut it.
    }
  }
  redis.disconnect();
}
