/**
 * What a server writes back to a Redis that lost its data (pure): the round
 * in progress keeps its id and deadline unless it already ended, and per
 * player the standing with the most moves wins.
 */

import assert from "node:assert/strict";
import { type HeldGame, mergeStanding, planRepair } from "../../src/cluster/repair_plan.ts";

const GRID = { startMs: 10_000, durationMs: 4000 };
const HELD: HeldGame = {
  round: { id: 7, endsAt: 34_000 },
  lastAnnounced: 6,
  standings: [
    { playerId: 1, score: 11, multiplier: 1, version: 11 },
    { playerId: 2, score: 3, multiplier: 2, version: 14 },
  ],
};

Deno.test("planRepair() keeps the round in progress, its id, deadline and standings", () => {
  const plan = planRepair(HELD, { lastRecorded: 6, grid: GRID, nowMs: 31_000 });
  assert.deepEqual(plan, {
    round: { id: 7, startedAt: 30_000, endsAt: 34_000, gridStart: 10_000, durationMs: 4000 },
    announced: 6,
    standings: HELD.standings,
  });
});

Deno.test("planRepair() moves past a round PostgreSQL already recorded, without its standings", () => {
  const plan = planRepair(HELD, { lastRecorded: 7, grid: GRID, nowMs: 35_000 });
  assert.deepEqual(plan.round, {
    id: 8,
    startedAt: 34_000,
    endsAt: 38_000,
    gridStart: 10_000,
    durationMs: 4000,
  });
  assert.deepEqual(plan.standings, []);
});

Deno.test("planRepair() moves past a round already announced, even with PostgreSQL unread", () => {
  const plan = planRepair({ ...HELD, lastAnnounced: 9 }, {
    lastRecorded: 0,
    grid: GRID,
    nowMs: 51_000,
  });
  assert.equal(plan.round.id, 10);
  assert.equal(plan.round.endsAt, 54_000);
  assert.equal(plan.announced, 9);
});

Deno.test("mergeStanding() takes the standing with more moves applied, whatever its score", () => {
  const kept = { playerId: 1, score: 40, multiplier: 1, version: 40 };
  const newer = { playerId: 1, score: 2, multiplier: 4, version: 45 };
  assert.equal(mergeStanding(kept, newer), newer);
  assert.equal(mergeStanding(newer, kept), newer);
  assert.equal(mergeStanding(undefined, kept), kept);
});

Deno.test("mergeStanding() never lowers a score restored higher for the same moves", () => {
  const higher = { playerId: 1, score: 9, multiplier: 1, version: 9 };
  const lower = { playerId: 1, score: 8, multiplier: 1, version: 9 };
  assert.equal(mergeStanding(higher, lower), higher);
  assert.equal(mergeStanding(lower, higher), higher);
});
