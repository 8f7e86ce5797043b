import assert from "node:assert/strict";
import { AttemptLimit } from "../../src/auth/attempt_limit.ts";

Deno.test("AttemptLimit lets a key try until it reaches the limit", () => {
  const limit = new AttemptLimit({ limit: 3, windowMs: 1000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(limit.retryAfter("alice", 100), 0);
    limit.record("alice", 100);
  }
  assert.equal(limit.retryAfter("alice", 100), 1000);
  assert.equal(limit.retryAfter("alice", 600), 500);
});

Deno.test("AttemptLimit counts each key on its own", () => {
  const limit = new AttemptLimit({ limit: 1, windowMs: 1000 });
  limit.record("alice", 0);
  assert.ok(limit.retryAfter("alice", 0) > 0);
  assert.equal(limit.retryAfter("bob", 0), 0);
});

Deno.test("AttemptLimit opens a new window once the old one ends", () => {
  const limit = new AttemptLimit({ limit: 2, windowMs: 1000 });
  limit.record("k", 0);
  limit.record("k", 999);
  assert.equal(limit.retryAfter("k", 999), 1);
  assert.equal(limit.retryAfter("k", 1000), 0);
  limit.record("k", 1000);
  assert.equal(limit.retryAfter("k", 1000), 0, "one attempt in the new window");
  limit.record("k", 1500);
  assert.equal(limit.retryAfter("k", 1500), 500);
});

Deno.test("AttemptLimit.clear() forgets a key's failures", () => {
  const limit = new AttemptLimit({ limit: 1, windowMs: 1000 });
  limit.record("k", 0);
  limit.clear("k");
  assert.equal(limit.retryAfter("k", 0), 0);
});

Deno.test("AttemptLimit keeps at most maxKeys, sweeping expired ones first", () => {
  const limit = new AttemptLimit({ limit: 1, windowMs: 1000, maxKeys: 3 });
  limit.record("old", 0);
  limit.record("a", 900);
  limit.record("b", 900);
  // "old" has expired by 1500: it goes, the live ones stay.
  limit.record("c", 1500);
  assert.ok(limit.retryAfter("a", 1500) > 0);
  assert.ok(limit.retryAfter("b", 1500) > 0);
  assert.ok(limit.retryAfter("c", 1500) > 0);
  // All live: the oldest is dropped rather than the map growing.
  limit.record("d", 1600);
  assert.equal(limit.retryAfter("a", 1600), 0);
  assert.ok(limit.retryAfter("d", 1600) > 0);
});

Deno.test("AttemptLimit.count() gives the attempts of the current window", () => {
  const limit = new AttemptLimit({ limit: 5, windowMs: 1000 });
  assert.equal(limit.count("k", 0), 0);
  limit.record("k", 0);
  limit.record("k", 10);
  assert.equal(limit.count("k", 999), 2);
  assert.equal(limit.count("k", 1000), 0, "the window has ended");
});

Deno.test("AttemptLimit.refund() takes back one attempt, never below zero", () => {
  const limit = new AttemptLimit({ limit: 2, windowMs: 1000 });
  limit.record("k", 0);
  limit.record("k", 0);
  assert.ok(limit.retryAfter("k", 0) > 0);
  limit.refund("k", 0);
  assert.equal(limit.count("k", 0), 1);
  assert.equal(limit.retryAfter("k", 0), 0);
  limit.refund("k", 0);
  limit.refund("k", 0);
  assert.equal(limit.count("k", 0), 0);
  limit.refund("nobody", 0);
  assert.equal(limit.count("nobody", 0), 0);
});
