import assert from "node:assert/strict";
import { checkDelivery } from "../../bench/soak_delivery.ts";
import type { SoakEvent } from "../../bench/soak_events.ts";

const SECOND = 1000;
const DURATION = 30 * SECOND;

/** Joins during round 5, which ends at 150 s; round k ends at k × 30 s. */
const join = (at: number, roundId = Math.floor(at / DURATION)): SoakEvent => ({
  kind: "join",
  at,
  roundId,
  score: 0,
  multiplier: 1,
  roundEndsAt: (roundId + 1) * DURATION,
  roundDurationMs: DURATION,
  baseMultiplierCost: 10,
});
const end = (roundId: number, late = 50): SoakEvent => ({
  kind: "end",
  at: (roundId + 1) * DURATION + late,
  roundId,
  winners: [],
  nbClicks: 0,
});
const down = (at: number, expected: boolean, reason = "closed"): SoakEvent => ({
  kind: "down",
  at,
  expected,
  reason,
});

Deno.test("checkDelivery() owes the EndRound of every round a connection was open for, with grace", () => {
  // Joined in round 5 (ends 180 s), open until 275 s: rounds 6 (210 s) and 7 (240 s) are owed;
  // round 8 ends at 270 s, within the grace of the end.
  const events = [join(155 * SECOND), end(5), end(6), end(7), down(275 * SECOND, true)];
  const found = checkDelivery(events, { endedAt: 400 * SECOND, graceMs: 10 * SECOND });
  assert.deepEqual(found, {
    expected: 2,
    received: 3,
    missed: [],
    duplicated: [],
    unexpectedDowns: 0,
    expectedDowns: 1,
    downReasons: {},
  });
});

Deno.test("checkDelivery() names the rounds missed and those heard twice", () => {
  const events = [join(155 * SECOND), end(5), end(6), end(6), end(8)];
  const found = checkDelivery(events, { endedAt: 300 * SECOND, graceMs: 10 * SECOND });
  assert.deepEqual(found.missed, [7]);
  assert.deepEqual(found.duplicated, [6]);
  assert.equal(found.expected, 3);
});

Deno.test("checkDelivery() owes nothing while a client is away, and counts why it left", () => {
  const events = [
    join(155 * SECOND),
    down(170 * SECOND, false, "Server timeout"),
    join(260 * SECOND),
    end(8),
    end(9),
  ];
  const found = checkDelivery(events, { endedAt: 320 * SECOND, graceMs: 10 * SECOND });
  assert.deepEqual(found.missed, []);
  assert.equal(found.expected, 1, "round 9 only: the first connection saw no whole round");
  assert.equal(found.unexpectedDowns, 1);
  assert.deepEqual(found.downReasons, { "Server timeout": 1 });
});
