/**
 * The race in Redis, against a real Redis: the click script keeps the
 * round's sorted set (ties going to who reached the score first, a score
 * spent to 0 out of it), and `RaceReader` reads the top, the count and the
 * places of the players watching, telling only when something changed.
 */

import { quietLog } from "../../src/log/problem_log.ts";
import assert from "node:assert/strict";
import { freshRedis } from "./services.ts";
import { openRedis, type Redis } from "../../src/cluster/redis_connection.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { ClickBatch } from "../../src/cluster/click_batch.ts";
import { RaceReader } from "../../src/cluster/race_reader.ts";
import { closeRound, initRound } from "../../src/cluster/round_scripts.ts";
import { sleep } from "../../src/sleep.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 10;
const keys = clusterKeys("race:");

/** Redis's clock in ms. */
async function redisMs(redis: Redis): Promise<number> {
  const [s, us] = await redis.call("TIME") as [string, string];
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Resolves once Redis's clock has passed `ms`, so the next move is reached later. */
async function pastMs(redis: Redis, ms: number): Promise<void> {
  while (await redisMs(redis) <= ms);
}

Deno.test("the click script keeps the race and RaceReader reads it", async () => {
  const redis = await openRedis(await freshRedis(REDIS_DB), { name: "test", log: quietLog });
  try {
    const now = await redisMs(redis);
    const round = {
      id: 4,
      startedAt: now,
      endsAt: now + 60_000,
      gridStart: now,
      durationMs: 60_000,
    };
    await initRound(redis, keys, round, 3);
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 1000 });
    const names = new Map([[3, "cat"], [9, "ann"], [4, "bob"]]);
    let asked: number[] = [];
    let changes = 0;
    const reader = new RaceReader({
      redis,
      keys,
      sleep,
      watching: () => [9, 3, 4, 9],
      names: (ids) => {
        asked = [...asked, ...ids];
        return Promise.resolve(new Map(ids.map((id) => [id, names.get(id)!])));
      },
      onChange: () => changes++,
    });

    // Cat reaches 1 first, then Ann: a tie goes to Cat, though "9" sorts after "3".
    await batch.enqueue("c", 3);
    await pastMs(redis, await redisMs(redis));
    await batch.enqueue("c", 9);
    await reader.read();
    assert.equal(reader.roundId, 4);
    assert.equal(reader.size, 2);
    assert.deepEqual(reader.top(10), [{ username: "cat", score: 1 }, {
      username: "ann",
      score: 1,
    }]);
    assert.deepEqual([reader.rankOf(3), reader.rankOf(9), reader.rankOf(4)], [1, 2, null]);
    assert.deepEqual([reader.scoreOf(9), reader.scoreOf(4)], [1, 0]);
    assert.equal(changes, 1);

    // Nothing moved: nothing to tell, and names are asked once.
    await reader.read();
    assert.equal(changes, 1);
    for (let i = 0; i < 10; i++) await batch.enqueue("c", 9);
    await reader.read();
    assert.equal(changes, 2);
    assert.deepEqual(reader.top(1), [{ username: "ann", score: 11 }]);
    assert.deepEqual(asked.sort(), [3, 9]);

    // A purchase that spends Ann's score to 1 keeps her in; one to 0 would take her out.
    assert.equal((await batch.enqueue("b", 9)).ok, true);
    await reader.read();
    assert.equal(reader.rankOf(9), 2, "1 reached after cat's 1");
    for (let i = 0; i < 9; i++) await batch.enqueue("c", 3);
    assert.equal((await batch.enqueue("b", 3)).score, 0);
    await reader.read();
    assert.equal(reader.size, 1);
    assert.equal(reader.rankOf(3), null);

    // The round's close reads the race, best first.
    await redis.call("SET", keys.leader, "me");
    const closed = await closeRound(redis, keys, "me", 4, now + 120_000);
    assert.equal(closed.kind, "closed");
    assert.deepEqual(closed.kind === "closed" && closed.result.ranked, [[9, 1]]);
  } finally {
    redis.disconnect();
  }
});
