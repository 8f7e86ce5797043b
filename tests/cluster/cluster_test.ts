/** The pieces of `openCluster` that need no Redis or PostgreSQL. */

import assert from "node:assert/strict";
import { poolIdleMs } from "../../src/cluster/cluster.ts";

Deno.test("poolIdleMs() keeps connections open longer than two rounds, and at least 30 s", () => {
  assert.equal(poolIdleMs(500), 30_000);
  // The default round: the record of each round finds the previous round's connection open.
  assert.ok(poolIdleMs(30_000) > 2 * 30_000);
  assert.ok(poolIdleMs(120_000) > 2 * 120_000);
});
