/**
 * Where servers reach each other, against a real Redis: each advertises its
 * address with its heartbeat and learns every live server's; a server that
 * left or stopped beating is nowhere to be found.
 */

import assert from "node:assert/strict";
import { openTestRedis } from "./test_redis.ts";
import type { Redis } from "../../src/cluster/redis_connection.ts";
import { clusterKeys } from "../../src/cluster/cluster_keys.ts";
import { Presence } from "../../src/cluster/presence.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 9;
const keys = clusterKeys("t:");

function presence(redis: Redis, serverId: string, ttlMs = 3000): Presence {
  return new Presence({
    redis,
    keys,
    serverId,
    maxPerPlayer: 5,
    local: () => [],
    onCount: () => {},
    onKick: () => {},
    // Beats are driven by the test: the first at start, the next ones by advertise().
    intervalMs: 60_000,
    ttlMs,
  });
}

Deno.test("Presence: a server finds where every live server is, and not one that left", async () => {
  const redis = await openTestRedis(REDIS_DB);
  const [a, b] = [presence(redis, "a"), presence(redis, "b")];
  try {
    await a.start();
    await b.start();
    assert.equal(await b.addressOf("a"), undefined, "a advertises nothing before it listens");
    a.advertise("http://127.0.0.1:8001");
    assert.equal(
      await waitUntil(() => b.addressOf("a")),
      "http://127.0.0.1:8001",
      "asked of Redis before b's next beat",
    );
    b.advertise("http://127.0.0.1:8002");
    assert.equal(await waitUntil(() => a.addressOf("b")), "http://127.0.0.1:8002");
    assert.equal(await a.addressOf("c"), undefined, "no server of that id");

    await a.stop();
    b.advertise("http://127.0.0.1:8002"); // a beat, which forgets what it knew
    assert.equal(
      await waitUntil(async () => await b.addressOf("a") === undefined || undefined),
      true,
      "a left",
    );
  } finally {
    await a.stop();
    await b.stop();
    redis.disconnect();
  }
});

Deno.test("Presence: a server that stopped beating is forgotten once its presence runs out", async () => {
  const redis = await openTestRedis(REDIS_DB);
  const [a, b] = [presence(redis, "a", 200), presence(redis, "b")];
  try {
    await a.start();
    a.advertise("http://127.0.0.1:8001");
    await b.start();
    assert.equal(await waitUntil(() => b.addressOf("a")), "http://127.0.0.1:8001");
    // a's heartbeat is every minute: its 200 ms presence runs out, as a crashed server's would.
    const gone = await waitUntil(async () => {
      b.advertise("http://127.0.0.1:8002");
      return await b.addressOf("a") === undefined || undefined;
    });
    assert.equal(gone, true);
    assert.equal(await redis.call("HGET", keys.addresses, "a"), null, "dropped from Redis too");
  } finally {
    await a.stop();
    await b.stop();
    redis.disconnect();
  }
});

/** Polls `check` until it gives a value, for at most 3 s. */
async function waitUntil<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("Timed out waiting for the presence");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
