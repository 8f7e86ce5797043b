import assert from "node:assert/strict";
import { nextDeadline, roundEnd, roundIndexAt, waitUntil } from "../../src/game/round_clock.ts";

const grid = { startMs: 1_000, durationMs: 500 };

Deno.test("roundEnd() puts round k at start + k × duration", () => {
  assert.deepEqual([1, 2, 3, 20].map((k) => roundEnd(grid, k)), [1_500, 2_000, 2_500, 11_000]);
});

Deno.test("roundIndexAt() gives the round running at a time", () => {
  assert.equal(roundIndexAt(grid, 1_000), 1);
  assert.equal(roundIndexAt(grid, 1_499), 1);
  assert.equal(roundIndexAt(grid, 1_500), 2);
  assert.equal(roundIndexAt(grid, 900), 1);
});

Deno.test("nextDeadline() stays on the grid however late it is asked", () => {
  assert.equal(nextDeadline(grid, 1_500), 2_000);
  assert.equal(nextDeadline(grid, 1_537), 2_000);
  // Held up past three deadlines: the next one is still on the grid.
  assert.equal(nextDeadline(grid, 3_120), 3_500);
});

Deno.test("waitUntil() never returns a negative wait", () => {
  assert.equal(waitUntil(2_000, 1_250), 750);
  assert.equal(waitUntil(2_000, 2_100), 0);
});
