/**
 * A Redis that lost its data, against a real Redis emptied by `FLUSHDB`:
 * the scripts refuse to count in a round Redis forgot, the servers write
 * back the round and their standings (merged as `mergeStanding` does), and
 * the game waits until they have.
 */

import assert from "node:assert/strict";
import { withTestRedis } from "./test_redis.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { ClickBatch } from "../../src/cluster/click_batch.ts";
import { joinEpoch, readEpoch, repairRedis } from "../../src/cluster/redis_epoch.ts";
import { closeRound, initRound, readRound } from "../../src/cluster/round_scripts.ts";
import {
  type HeldStanding,
  mergeStanding,
  type RepairPlan,
} from "../../src/cluster/repair_plan.ts";
import { waitFor } from "./cluster_support.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 11;
const keys = clusterKeys("t:");
const ROUND = { id: 7, startedAt: 1000, endsAt: 2000, gridStart: 0, durationMs: 1000 };

function plan(standings: HeldStanding[], round = ROUND): RepairPlan {
  return { round, announced: round.id - 1, standings };
}

function standing(playerId: number, score: number, version: number): HeldStanding {
  return { playerId, score, multiplier: 1, version };
}

Deno.test("ClickBatch refuses an epoch Redis doesn't hold, and says so", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    const epoch = await joinEpoch(redis, keys);
    assert.equal(await joinEpoch(redis, keys), epoch);
    await initRound(redis, keys, ROUND, 6, epoch);
    let lost = 0;
    const batch = new ClickBatch({
      redis,
      keys,
      maxClicksPerSecond: 1000,
      epoch: () => epoch,
      onEpochLost: () => lost++,
    });
    assert.equal((await batch.enqueue("c", 1)).version, 1);
    await redis.call("FLUSHDB");
    await assert.rejects(batch.enqueue("c", 1), /^ReplyError: EPOCH/);
    assert.equal(lost, 1);
    assert.equal(await readRound(redis, keys), undefined, "nothing written");
    await assert.rejects(initRound(redis, keys, ROUND, 6, epoch), /EPOCH/);
    assert.equal(await readRound(redis, keys), undefined, "no round opened from PostgreSQL's view");
  });
});

Deno.test("repairRedis() restores the round once, and per player the standing with most moves", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    const old = await joinEpoch(redis, keys);
    await redis.call("FLUSHDB");
    const first = await repairRedis(redis, keys, {
      known: old,
      serverId: "a",
      plan: plan([standing(1, 9, 9), standing(2, 5, 5), standing(3, 4, 4)]),
    });
    assert.equal(first.lost, true);
    assert.notEqual(first.epoch, old);
    assert.equal(await readEpoch(redis, keys), first.epoch);
    assert.deepEqual([first.roundId, first.roundRestored, first.standingsRestored], [7, true, 3]);
    assert.deepEqual(await readRound(redis, keys), ROUND);
    assert.equal(await redis.call("GET", keys.announced), "6");

    // Another server held player 1 further on, player 2 behind, player 3 at the same moves lower.
    const held = [standing(1, 11, 11), standing(2, 3, 3), standing(3, 3, 4)];
    const second = await repairRedis(redis, keys, {
      known: old,
      serverId: "b",
      plan: plan(held, { ...ROUND, endsAt: 2500 }),
    });
    assert.equal(second.lost, true);
    assert.equal(second.epoch, first.epoch, "one new epoch for all");
    assert.deepEqual([second.roundRestored, second.standingsRestored], [false, 1]);
    assert.equal((await readRound(redis, keys))?.endsAt, 2000, "the first restored deadline stays");
    const stored = await redis.call("HGETALL", keys.scores + 7) as string[];
    const fields = new Map<string, string>();
    for (let i = 0; i < stored.length; i += 2) fields.set(stored[i], stored[i + 1]);
    const expected = [
      mergeStanding(standing(1, 9, 9), held[0]),
      mergeStanding(standing(2, 5, 5), held[1]),
      mergeStanding(standing(3, 4, 4), held[2]),
    ];
    for (const s of expected) {
      assert.equal(fields.get(`s${s.playerId}`), String(s.score), `player ${s.playerId}`);
      assert.equal(fields.get(`v${s.playerId}`), String(s.version), `player ${s.playerId}`);
    }

    // A server whose round already ended elsewhere writes no standings into the later one.
    const stale = await repairRedis(redis, keys, {
      known: first.epoch,
      serverId: "c",
      plan: plan([standing(1, 50, 50)], { ...ROUND, id: 6 }),
    });
    assert.deepEqual(
      [stale.lost, stale.roundId, stale.roundRestored, stale.standingsRestored],
      [false, 7, false, 0],
    );
  });
});

Deno.test("after a loss, clicks and the round's end wait until the servers wrote back", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    const old = await joinEpoch(redis, keys);
    await initRound(redis, keys, ROUND, 6, old);
    await redis.call("SET", keys.leader, "me");
    await redis.call("FLUSHDB");
    const lostAt = Date.now();
    const repaired = await repairRedis(redis, keys, {
      known: old,
      serverId: "a",
      plan: plan([standing(1, 9, 9)]),
    });
    await redis.call("SET", keys.leader, "me");
    const batch = new ClickBatch({
      redis,
      keys,
      maxClicksPerSecond: 1000,
      epoch: () => repaired.epoch,
    });
    await assert.rejects(batch.enqueue("c", 1), /SETTLING/);
    assert.deepEqual(await closeRound(redis, keys, "me", 7, 3000), { kind: "settling" });
    const reply = await waitFor(
      "clicks to count again",
      async () => {
        try {
          return await batch.enqueue("c", 1);
        } catch (error) {
          assert.match(String(error), /SETTLING/);
          return undefined;
        }
      },
      10_000,
      50,
    );
    assert.ok(Date.now() - lostAt >= 1000, `went on after ${Date.now() - lostAt} ms`);
    assert.deepEqual([reply.score, reply.version, reply.roundId], [10, 10, 7]);
    const closed = await closeRound(redis, keys, "me", 7, 3000);
    assert.equal(closed.kind, "closed");
    assert.equal(closed.kind === "closed" && closed.result.nbClicks, 10);
  });
});
