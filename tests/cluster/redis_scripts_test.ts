/**
 * The Redis side of several servers, against a real Redis: the click batch
 * (rules, cap, one round per click), closing and announcing a round (fenced
 * by the lease and the round id), and the lease itself.
 */

import assert from "node:assert/strict";
import { withTestRedis } from "./test_redis.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { ClickBatch, type OpHandler } from "../../src/cluster/click_batch.ts";
import { Lease } from "../../src/cluster/lease.ts";
import {
  announceRound,
  closeRound,
  initRound,
  pendingRounds,
  readRound,
} from "../../src/cluster/round_scripts.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 3;
const keys = clusterKeys("t:");

const ROUND = { id: 7, startedAt: 1000, endsAt: 2000, gridStart: 0, durationMs: 1000 };

Deno.test("ClickBatch applies a turn's clicks and purchases in order, in one round", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    await initRound(redis, keys, ROUND, 6);
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 1000 });
    const moves = [];
    for (let i = 0; i < 12; i++) moves.push(batch.enqueue("c", 1));
    moves.push(batch.enqueue("b", 1), batch.enqueue("c", 1), batch.enqueue("b", 2));
    const replies = await Promise.all(moves);
    assert.deepEqual(replies.map((r) => r.score), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 4, 0]);
    assert.deepEqual(replies.slice(12).map((r) => [r.multiplier, r.ok]), [
      [2, true],
      [2, true],
      [1, false],
    ]);
    assert.ok(replies.every((r) => r.roundId === 7 && r.roundEndsAt === 2000));
    // Each move applied counts in the player's version; a refused one doesn't.
    assert.deepEqual(
      replies.map((r) => r.version),
      [...Array(14).keys()].map((i) => i + 1).concat(0),
    );
    assert.deepEqual(await redis.call("HGETALL", keys.scores + 7), [
      "s1",
      "4",
      "m1",
      "2",
      "v1",
      "14",
    ]);
  });
});

Deno.test("ClickBatch tells one handler each operation's outcome with its context, in order", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    await initRound(redis, keys, ROUND, 6);
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 1000 });
    const heard: [string, number, number, boolean][] = [];
    const failed: [string, string][] = [];
    const { promise: done, resolve } = Promise.withResolvers<void>();
    const handler: OpHandler<string> = {
      answered(reply, context) {
        heard.push([context, reply.playerId, reply.score, reply.ok]);
        if (context === "throws") throw new RangeError("Cannot answer throws");
        if (context === "last") resolve();
      },
      failed(error, context) {
        failed.push([context, (error as Error).message]);
      },
    };
    batch.add("c", 4, handler, "first");
    batch.add("b", 4, handler, "throws");
    batch.add("c", 5, handler, "other player");
    batch.add("s", 4, handler, "last");
    await done;
    assert.deepEqual(heard, [
      ["first", 4, 1, true],
      ["throws", 4, 1, false],
      ["other player", 5, 1, true],
      ["last", 4, 1, true],
    ]);
    // Only the handler that threw hears of it, with what it threw.
    assert.deepEqual(failed, [["throws", "Cannot answer throws"]]);
  });
});

Deno.test("ClickBatch fails every operation of a batch Redis refused, each with its context", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 5 });
    const failed: string[] = [];
    const { promise: done, resolve } = Promise.withResolvers<void>();
    const handler: OpHandler<string> = {
      answered: () => assert.fail("no round: nothing runs"),
      failed(error, context) {
        assert.match((error as Error).message, /NOROUND/);
        failed.push(context);
        if (failed.length === 2) resolve();
      },
    };
    batch.add("c", 1, handler, "one");
    batch.add("c", 2, handler, "two");
    await done;
    assert.deepEqual(failed, ["one", "two"]);
  });
});

Deno.test("ClickBatch applies a batch of thousands of players, read and written in slices", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    await initRound(redis, keys, ROUND, 6);
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 1000 });
    const players = 2_500;
    const moves = [];
    for (let id = 1; id <= players; id++) moves.push(batch.enqueue("c", id));
    for (let id = 1; id <= players; id++) moves.push(batch.enqueue("c", id));
    const replies = await Promise.all(moves);
    assert.ok(replies.every((r) => r.ok));
    assert.deepEqual(replies.slice(0, players).map((r) => r.score), Array(players).fill(1));
    assert.deepEqual(replies.slice(players).map((r) => r.score), Array(players).fill(2));
    assert.equal(await redis.call("HLEN", keys.scores + 7), 3 * players);
    assert.equal(await redis.call("ZCARD", keys.scores + "7:race"), players);
    assert.equal(await redis.call("HGET", keys.scores + 7, `s${players}`), "2");
  });
});

Deno.test("ClickBatch holds the click cap across batches (and so across servers)", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    await initRound(redis, keys, ROUND, 6);
    const one = new ClickBatch({ redis, keys, maxClicksPerSecond: 5 });
    const two = new ClickBatch({ redis, keys, maxClicksPerSecond: 5 });
    const moves = [];
    for (let i = 0; i < 4; i++) moves.push(one.enqueue("c", 1), two.enqueue("c", 1));
    const counted = (await Promise.all(moves)).filter((r) => r.ok).length;
    assert.ok(counted === 5 || counted === 6, `${counted} of 8 counted`);
  });
});

Deno.test("ClickBatch rejects every move of a batch when Redis has no round", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 5 });
    await assert.rejects(batch.enqueue("c", 1), /NOROUND/);
  });
});

Deno.test("closeRound() closes once, for the lease holder only; clicks then land in the next round", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    await initRound(redis, keys, ROUND, 6);
    const batch = new ClickBatch({ redis, keys, maxClicksPerSecond: 1000 });
    await Promise.all([batch.enqueue("c", 1), batch.enqueue("c", 1), batch.enqueue("c", 2)]);
    await redis.call("SET", keys.leader, "me");
    assert.deepEqual(await closeRound(redis, keys, "someone-else", 7, 3000), {
      kind: "not-leader",
    });
    const closed = await closeRound(redis, keys, "me", 7, 3000);
    assert.deepEqual(closed, {
      kind: "closed",
      result: {
        id: 7,
        startedAt: 1000,
        endedAt: 2000,
        nbClicks: 2,
        players: 2,
        winners: [1],
        // The race, best first: player 1 with 2, player 2 with 1.
        ranked: [[1, 2], [2, 1]],
      },
    });
    assert.deepEqual(await closeRound(redis, keys, "me", 7, 3000), { kind: "moved-on" });
    assert.deepEqual(await readRound(redis, keys), {
      id: 8,
      startedAt: 2000,
      endsAt: 3000,
      gridStart: 0,
      durationMs: 1000,
    });
    const [next] = await Promise.all([batch.enqueue("c", 1)]);
    assert.deepEqual([next.roundId, next.score], [8, 1]);
    assert.equal((await pendingRounds(redis, keys)).length, 1);
  });
});

Deno.test("announceRound() appends each round once, even when two servers announce it", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    await initRound(redis, keys, ROUND, 6);
    await redis.call("SET", keys.leader, "me");
    await closeRound(redis, keys, "me", 7, 3000);
    const standings = [{ username: "ann", score: 2 }];
    assert.equal(await announceRound(redis, keys, 7, ["ann"], 2, standings), true);
    assert.equal(await announceRound(redis, keys, 7, ["ann"], 2), false);
    assert.equal(await announceRound(redis, keys, 6, [], 0), false);
    const entries = await redis.call("XRANGE", keys.events, "-", "+") as [string, string[]][];
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0][1], [
      "roundId",
      "7",
      "winners",
      '["ann"]',
      "nbClicks",
      "2",
      "nextRoundEndsAt",
      "3000",
      "standings",
      '[{"username":"ann","score":2}]',
    ]);
    assert.deepEqual(await pendingRounds(redis, keys), []);
  });
});

Deno.test("initRound() keeps the schedule Redis has; opens one when it has none", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    assert.deepEqual(await initRound(redis, keys, ROUND, 6), ROUND);
    assert.deepEqual(await initRound(redis, keys, { ...ROUND, id: 99 }, 98), ROUND);
    assert.equal(await redis.call("GET", keys.announced), "6");
  });
});

Deno.test("Lease: one holder at a time; released, another takes it; lost when taken over", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    const a = new Lease({ redis, key: keys.leader, serverId: "a", ttlMs: 300 });
    const b = new Lease({ redis, key: keys.leader, serverId: "b", ttlMs: 300 });
    assert.equal(await a.tryAcquire(), true);
    assert.equal(await b.tryAcquire(), false);
    await new Promise((resolve) => setTimeout(resolve, 500)); // renewed meanwhile
    assert.equal(a.held, true);
    assert.equal(await b.tryAcquire(), false);
    await a.release();
    assert.equal(a.signal.aborted, true);
    assert.equal(await b.tryAcquire(), true);
    // Someone else's token in the key (b expired while frozen, c took over): b learns it.
    await redis.call("SET", keys.leader, "c:token", "PX", 1000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(b.held, false);
    assert.equal(b.signal.aborted, true);
    await b.release();
    assert.equal(await redis.call("GET", keys.leader), "c:token", "release leaves others' lease");
  });
});

Deno.test("Lease: a holder that can't extend counts itself out once the lease would have run out", async () => {
  await withTestRedis(REDIS_DB, async (redis) => {
    let now = 0;
    const a = new Lease({ redis, key: keys.leader, serverId: "a", ttlMs: 300, now: () => now });
    assert.equal(await a.tryAcquire(), true);
    assert.equal(a.held, true);
    now = 301; // frozen past its lease: not the leader any more, whatever Redis says
    assert.equal(a.held, false);
    assert.equal(a.token, undefined);
    await a.release();
  });
});
