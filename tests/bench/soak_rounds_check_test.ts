import assert from "node:assert/strict";
import { checkRounds, type RecordedRound } from "../../bench/soak_rounds_check.ts";
import type { Span } from "../../bench/soak_scores.ts";

const exact = (score: number): Span => ({ lo: score, hi: score });

function scores(entries: Record<string, Record<number, Span>>) {
  return new Map(
    Object.entries(entries).map(([name, rounds]) => [
      name,
      new Map(Object.entries(rounds).map(([id, span]) => [Number(id), span])),
    ]),
  );
}

const round7: RecordedRound = { id: 7, nbClicks: 12, players: 2, winners: ["ann"] };

Deno.test("checkRounds() accepts a round recorded as the answered clicks add up", () => {
  const found = checkRounds([round7], scores({ ann: { 7: exact(12) }, bob: { 7: exact(5) } }), [
    { client: "c1", roundId: 7, winners: ["ann"], nbClicks: 12 },
  ]);
  assert.deepEqual(found, { checked: 1, ranged: 0, problems: [] });
});

Deno.test("checkRounds() reports a recorded score the answers don't add up to", () => {
  const found = checkRounds([round7], scores({ ann: { 7: exact(11) }, bob: { 7: exact(5) } }), []);
  assert.deepEqual(found.problems, [
    "round 7: recorded 12 by [ann] of 2 players; the answered clicks add up to 11 by [ann] of 2",
  ]);
});

Deno.test("checkRounds() reports an EndRound that differs from the record, or was never recorded", () => {
  const found = checkRounds([round7], scores({ ann: { 7: exact(12) }, bob: { 7: exact(5) } }), [
    { client: "c1", roundId: 7, winners: ["bob"], nbClicks: 12 },
    { client: "c2", roundId: 8, winners: [], nbClicks: 0 },
  ]);
  assert.deepEqual(found.problems, [
    "c1: EndRound 7 said 12 by [bob], recorded 12 by [ann]",
    "c2: EndRound for round 8, which was never recorded",
  ]);
});

Deno.test("checkRounds() checks a round with lost clicks for fit only", () => {
  const ranged = scores({ ann: { 7: { lo: 11, hi: 13 } }, bob: { 7: exact(5) } });
  assert.deepEqual(checkRounds([round7], ranged, []), { checked: 1, ranged: 1, problems: [] });
  const tooHigh = { ...round7, nbClicks: 14 };
  assert.equal(checkRounds([tooHigh], ranged, []).problems.length, 1);
});
