/**
 * A server's watch on Redis losing its data, against a real Redis: a lost
 * epoch is found, written back and logged once naming the round; a replica
 * that missed the last writes (the epoch there, a standing behind) is filled
 * in on reconnection; and nothing is written or logged when nothing was lost.
 */

import assert from "node:assert/strict";
import { openTestRedis } from "./test_redis.ts";
import type { Redis } from "../../src/cluster/redis_connection.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { joinEpoch, readEpoch } from "../../src/cluster/redis_epoch.ts";
import { initRound, readRound } from "../../src/cluster/round_scripts.ts";
import { RedisLossWatch } from "../../src/cluster/redis_loss_watch.ts";
import type { HeldGame } from "../../src/cluster/repair_plan.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 12;
const keys = clusterKeys("t:");
const GRID = { startMs: 0, durationMs: 1000 };
const ROUND = { id: 7, startedAt: 6000, endsAt: 7000, gridStart: 0, durationMs: 1000 };
const HELD: HeldGame = {
  round: { id: 7, endsAt: 7000 },
  lastAnnounced: 6,
  standings: [{ playerId: 1, score: 9, multiplier: 1, version: 9 }],
};

async function withWatch(
  fn: (redis: Redis, watch: RedisLossWatch, logged: string[]) => Promise<void>,
): Promise<void> {
  const redis = await openTestRedis(REDIS_DB);
  const epoch = await joinEpoch(redis, keys);
  await initRound(redis, keys, ROUND, 6, epoch);
  const logged: string[] = [];
  const watch = new RedisLossWatch({
    redis,
    keys,
    serverId: "a",
    grid: GRID,
    epoch,
    held: () => HELD,
    lastRecorded: () => Promise.resolve(6),
    log: { error: (message) => logged.push(message), warning: (message) => logged.push(message) },
    now: () => 6500,
  });
  try {
    await fn(redis, watch, logged);
  } finally {
    await watch.stop();
    redis.disconnect();
  }
}

Deno.test("RedisLossWatch.check() writes nothing and logs nothing when Redis kept its data", async () => {
  await withWatch(async (redis, watch, logged) => {
    // Another server's click moved the player on since this server heard of them.
    await redis.call("HSET", keys.scores + 7, "s1", 10, "m1", 1, "v1", 10);
    await watch.check();
    await watch.check({ writeBack: true });
    assert.deepEqual(logged, []);
    assert.equal(watch.loss, null);
    assert.deepEqual(await redis.call("HMGET", keys.scores + 7, "s1", "v1"), ["10", "10"]);
  });
});

Deno.test("RedisLossWatch.check() finds a lost epoch, restores the round, logs it once", async () => {
  await withWatch(async (redis, watch, logged) => {
    const before = watch.epoch;
    await redis.call("FLUSHDB");
    await Promise.all([watch.check(), watch.check()]);
    await watch.check();
    assert.equal(logged.length, 1, logged.join("\n"));
    assert.match(
      logged[0],
      /^REDIS LOST ITS DATA: round 7 \(ends .*\) restored by this server; 1 /,
    );
    assert.notEqual(watch.epoch, before);
    assert.equal(await readEpoch(redis, keys), watch.epoch);
    assert.deepEqual(await readRound(redis, keys), ROUND);
    assert.deepEqual(watch.loss, {
      count: 1,
      at: 6500,
      roundId: 7,
      repaired: true,
      standingsRestored: 1,
    });
  });
});

Deno.test("RedisLossWatch fills in, on reconnection, a standing Redis holds behind", async () => {
  await withWatch(async (redis, watch, logged) => {
    // As a replica promoted without the last writes: the epoch is there, the standing is older.
    await redis.call("HSET", keys.scores + 7, "s1", 7, "m1", 1, "v1", 7);
    watch.start();
    redis.disconnect(true);
    const { promise, resolve } = Promise.withResolvers<void>();
    redis.on("ready", () => resolve());
    await promise;
    await watch.check();
    assert.deepEqual(await redis.call("HMGET", keys.scores + 7, "s1", "v1"), ["9", "9"]);
    assert.equal(logged.length, 1, logged.join("\n"));
    assert.match(logged[0], /^REDIS LOST RECENT WRITES: round 7/);
    assert.equal(watch.loss?.standingsRestored, 1);
  });
});
