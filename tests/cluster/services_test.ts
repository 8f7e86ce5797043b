/**
 * The services the tests of several servers share: each Redis index a file
 * names is a database of its own, emptied on each call; each PostgreSQL
 * database is new.
 *
 * @module
 */

import assert from "node:assert/strict";
// @ts-types="../../src/cluster/ioredis_types.d.ts"
import { Redis } from "ioredis";
import { adminQuery, dropPostgres, freshPostgres, freshRedis } from "./services.ts";

async function withRedis<T>(url: string, body: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    return await body(redis);
  } finally {
    redis.disconnect();
  }
}

Deno.test({
  name: "freshRedis() gives each index a database of its own, the same one each time, emptied",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const a = await freshRedis(1);
  const b = await freshRedis(2);
  assert.notEqual(a, b);
  assert.doesNotMatch(a, /\/0$/, "database 0 holds the counter");
  await withRedis(a, (redis) => redis.call("SET", "k", "a"));
  assert.equal(await withRedis(b, (redis) => redis.call("GET", "k")), null, "apart");
  assert.equal(await withRedis(a, (redis) => redis.call("GET", "k")), "a");
  assert.equal(await freshRedis(1), a, "the same database again");
  assert.equal(await withRedis(a, (redis) => redis.call("GET", "k")), null, "emptied");
});

Deno.test({
  name: "freshPostgres() makes a new empty database; dropPostgres() drops it",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const url = await freshPostgres("services");
  const name = new URL(url).pathname.slice(1);
  const exists = async () =>
    (await adminQuery(
      url.replace(name, "clicker"),
      "select 1 from pg_database where datname = $1",
      [
        name,
      ],
    )).length === 1;
  try {
    assert.match(name, /^services_[0-9a-f]{12}$/);
    assert.equal(await exists(), true);
    assert.deepEqual(
      await adminQuery(url, "select count(*)::int as n from pg_tables where schemaname = 'public'"),
      [{ n: 0 }],
    );
  } finally {
    await dropPostgres(url);
  }
  assert.equal(await exists(), false);
});
