/**
 * A test file's own Redis database, emptied, opened as the servers open
 * theirs ({@linkcode openRedis}), for tests that run the cluster's Redis
 * code without a server.
 *
 * @module
 */

import { openRedis, type Redis } from "../../src/cluster/redis_connection.ts";
import { quietLog } from "../../src/log/problem_log.ts";
import { freshRedis } from "./services.ts";

/** Opens the file's emptied Redis database `index` ({@linkcode freshRedis}); the caller disconnects. */
export async function openTestRedis(index: number): Promise<Redis> {
  return await openRedis(await freshRedis(index), { name: "test", log: quietLog });
}

/** Runs `fn` on the file's emptied Redis database `index`, and disconnects after. */
export async function withTestRedis(
  index: number,
  fn: (redis: Redis) => Promise<void>,
): Promise<void> {
  const redis = await openTestRedis(index);
  try {
    await fn(redis);
  } finally {
    redis.disconnect();
  }
}
