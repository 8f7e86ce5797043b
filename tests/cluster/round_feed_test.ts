/**
 * The round feed against a real Redis: rounds announced on the event stream
 * are handed on once each, in order, and a round handed on ahead of the
 * stream (`deliver`, the leader telling its own clients) is not handed on
 * again when the stream brings it.
 */

import assert from "node:assert/strict";
import { quietLog } from "../../src/log/problem_log.ts";
import { freshRedis } from "./services.ts";
import { openRedis, type Redis } from "../../src/cluster/redis_connection.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { RoundFeed } from "../../src/cluster/round_feed.ts";
import { announceRound } from "../../src/cluster/round_scripts.ts";
import type { EndRound } from "../../src/hub/wire.ts";
import { sleep } from "../../src/sleep.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 15;
const keys = clusterKeys("feed:");

/** A feed on a connection of its own, and the rounds it hands on, as they come. */
async function startFeed(url: string) {
  const reader = await openRedis(url, { name: "test-feed", log: quietLog });
  const got: number[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const feed = new RoundFeed({
    redis: reader,
    keys,
    serverId: "test",
    sleep,
    log: quietLog,
    onEndRound: (endRound) => {
      got.push(endRound.roundId);
      if (waiting && got.length >= waiting.count) waiting.resolve();
    },
    onKick: () => {},
  });
  await feed.start();
  /** Resolves once `count` rounds were handed on in all. */
  const handedOn = (count: number) => {
    if (got.length >= count) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    waiting = { count, resolve };
    return promise;
  };
  return { feed, got, handedOn };
}

function endRound(roundId: number): EndRound {
  return { winners: ["ann"], nbClicks: 3, roundId, nextRoundEndsAt: 1000 * roundId, standings: [] };
}

async function announce(redis: Redis, roundId: number): Promise<void> {
  await announceRound(redis, keys, roundId, ["ann"], 3, [{ username: "ann", score: 3 }]);
}

Deno.test("RoundFeed.deliver() hands the next round on at once; the stream's copy is skipped", async () => {
  const url = await freshRedis(REDIS_DB);
  const redis = await openRedis(url, { name: "test", log: quietLog });
  const { feed, got, handedOn } = await startFeed(url);
  try {
    assert.equal(feed.deliver(endRound(1)), true);
    assert.deepEqual(got, [1]);
    // Told once: a second try, or the same round from the stream, hands nothing on.
    assert.equal(feed.deliver(endRound(1)), false);
    await announce(redis, 1);
    await announce(redis, 2);
    await handedOn(2);
    assert.deepEqual(got, [1, 2]);
    assert.equal(feed.lastRoundId, 2);
  } finally {
    await feed.stop();
    redis.disconnect();
  }
});

Deno.test("RoundFeed.deliver() leaves a round out of order to the stream, which keeps the order", async () => {
  const url = await freshRedis(REDIS_DB);
  const redis = await openRedis(url, { name: "test", log: quietLog });
  const { feed, got, handedOn } = await startFeed(url);
  try {
    // Round 1 not handed on yet: round 2 must wait for it.
    assert.equal(feed.deliver(endRound(2)), false);
    assert.deepEqual(got, []);
    await announce(redis, 1);
    await announce(redis, 2);
    await handedOn(2);
    assert.deepEqual(got, [1, 2]);
    assert.equal(feed.deliver(endRound(3)), true);
    await announce(redis, 3);
    await announce(redis, 4);
    await handedOn(4);
    assert.deepEqual(got, [1, 2, 3, 4]);
  } finally {
    await feed.stop();
    redis.disconnect();
  }
});
