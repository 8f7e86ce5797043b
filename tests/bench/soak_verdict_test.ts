import assert from "node:assert/strict";
import { type Gathered, judgeSoak } from "../../bench/soak_verdict.ts";
import type { SoakEvent } from "../../bench/soak_events.ts";
import { attributeScores } from "../../bench/soak_scores.ts";
import { judgeTrend } from "../../bench/soak_trend.ts";

const DURATION = 30_000;

const join: SoakEvent = {
  kind: "join",
  at: 5 * DURATION + 1000,
  roundId: 5,
  score: 0,
  multiplier: 1,
  roundEndsAt: 6 * DURATION,
  roundDurationMs: DURATION,
  baseMultiplierCost: 10,
};
const click = (score: number): SoakEvent => ({
  kind: "click",
  at: 5 * DURATION + 2000,
  score,
  multiplier: 1,
  counted: true,
});
const end = (roundId: number, nbClicks: number, winners: string[]): SoakEvent => ({
  kind: "end",
  at: (roundId + 1) * DURATION + 20,
  roundId,
  winners,
  nbClicks,
});

function gathered(events: SoakEvent[]): Gathered {
  const samples = Array.from({ length: 10 }, (_, minute) => ({ minute, rssMiB: 300, fds: 40 }));
  return {
    trends: [judgeTrend(samples, 10, 30, 30)],
    bounds: { slope: 16, noise: 8 },
    logs: [{ name: "ws-json-1-steady", username: "ann", events }],
    scores: new Map([["ann", attributeScores(events)]]),
    recorded: {
      rounds: [
        { id: 5, nbClicks: 2, players: 1, winners: ["ann"] },
        { id: 6, nbClicks: 0, players: 0, winners: [] },
      ],
      wins: new Map([["ann", 1]]),
      checkpoints: 1,
    },
    endedAt: 8 * DURATION,
    emptied: true,
    lastOnline: [{ players: 0, connections: 0 }],
    startFailures: [],
    renewFailures: 0,
  };
}

Deno.test("judgeSoak() passes a soak where every round adds up and reached its client once", () => {
  const verdict = judgeSoak(
    gathered([join, click(1), click(2), end(5, 2, ["ann"]), end(6, 0, [])]),
  );
  assert.deepEqual(verdict.checks.filter((c) => !c.pass), []);
  assert.equal(verdict.pass, true);
  assert.deepEqual(verdict.incidents, []);
});

Deno.test("judgeSoak() fails an EndRound heard twice, and keeps the log around it", () => {
  const events = [join, click(1), click(2), end(5, 2, ["ann"]), end(6, 0, []), end(6, 0, [])];
  const verdict = judgeSoak(gathered(events));
  assert.equal(verdict.pass, false);
  assert.deepEqual(
    verdict.checks.filter((c) => !c.pass).map((c) => c.name),
    ["every EndRound reached every connected client once"],
  );
  assert.deepEqual(verdict.incidents, [
    { client: "ws-json-1-steady", events: [join, events[3], events[4], events[5]] },
  ]);
});

Deno.test("judgeSoak() fails a recorded score the answers don't add up to", () => {
  const verdict = judgeSoak(gathered([join, click(1), end(5, 2, ["ann"]), end(6, 0, [])]));
  assert.deepEqual(
    verdict.checks.filter((c) => !c.pass).map((c) => c.name),
    ["the recorded rounds match what the clients saw"],
  );
});
