import assert from "node:assert/strict";
import { attributeScores } from "../../bench/soak_scores.ts";
import type { SoakEvent } from "../../bench/soak_events.ts";
import { click, down, end, join, lost } from "./score_events.ts";

function spans(events: SoakEvent[]) {
  const found = attributeScores(events);
  return { rounds: Object.fromEntries(found.rounds), anomalies: found.anomalies };
}

Deno.test("attributeScores() gives each round the score its answers reached", () => {
  assert.deepEqual(spans([join(5), click(1), click(2), click(3), end(5), click(1), click(2)]), {
    rounds: { 5: { lo: 3, hi: 3 }, 6: { lo: 2, hi: 2 } },
    anomalies: [],
  });
});

Deno.test("attributeScores() moves a click answered after the reset but before EndRound to the next round", () => {
  assert.deepEqual(spans([join(5), click(1), click(2), click(1), end(5), click(2), end(6)]), {
    rounds: { 5: { lo: 2, hi: 2 }, 6: { lo: 2, hi: 2 } },
    anomalies: [],
  });
});

Deno.test("attributeScores() reports an answer that skips points: a click counted twice", () => {
  const { anomalies } = spans([join(5), click(1), click(2), click(4)]);
  assert.equal(anomalies.length, 1);
  assert.match(anomalies[0], /round 5: click answered score 4 ×1, expected 3 ×1/);
});

Deno.test("attributeScores() settles a lost click by the next GameInfo of the round", () => {
  assert.deepEqual(spans([join(5), click(1), click(2), lost, down, join(5, 3), click(4), end(5)]), {
    rounds: { 5: { lo: 4, hi: 4 } },
    anomalies: [],
  });
});

Deno.test("attributeScores() reports a GameInfo with more points than were clicked", () => {
  const { anomalies } = spans([join(5), click(1), click(2), lost, down, join(5, 5)]);
  assert.equal(anomalies.length, 1);
  assert.match(anomalies[0], /GameInfo says score 5, answers add up to 2 \(\+1 unanswered\)/);
});

Deno.test("attributeScores() leaves a lost click unsettled as a range", () => {
  assert.deepEqual(spans([join(5), click(1), click(2), lost, down, join(6, 0)]).rounds, {
    5: { lo: 2, hi: 3 },
  });
});

Deno.test("attributeScores() moves a first click from 0 when the next answer shows it counted later", () => {
  // The click from 0 was answered before EndRound 5 but counted in round 6: the next says 2.
  assert.deepEqual(spans([join(5), click(1), end(5), click(2), end(6)]).rounds, {
    5: { lo: 0, hi: 0 },
    6: { lo: 2, hi: 2 },
  });
  // Or it counted in round 5, and round 6 starts from 0.
  assert.deepEqual(spans([join(5), click(1), end(5), click(1), click(2), end(6)]).rounds, {
    5: { lo: 1, hi: 1 },
    6: { lo: 2, hi: 2 },
  });
  // With nothing after it, where a lone click from 0 counted stays open.
  assert.deepEqual(spans([join(5), click(1), end(5)]).rounds, {
    5: { lo: 0, hi: 1 },
    6: { lo: 0, hi: 1 },
  });
});

Deno.test("attributeScores() follows purchases, and reads a refused one the score covered as a reset", () => {
  const tenClicks = Array.from({ length: 10 }, (_, i) => click(i + 1));
  const bought: SoakEvent = { kind: "buy", at: 0, ok: true, score: 0, multiplier: 2 };
  assert.deepEqual(spans([join(5), ...tenClicks, bought, click(2, 2), click(4, 2), end(5)]), {
    rounds: { 5: { lo: 4, hi: 4 } },
    anomalies: [],
  });
  const refused: SoakEvent = { kind: "buy", at: 0, ok: false };
  assert.deepEqual(spans([join(5), ...tenClicks, refused, click(1), end(5), click(2)]), {
    rounds: { 5: { lo: 10, hi: 10 }, 6: { lo: 2, hi: 2 } },
    anomalies: [],
  });
});

Deno.test("attributeScores() ignores an EndRound heard twice", () => {
  assert.deepEqual(spans([join(5), click(1), end(5), click(1), end(5), click(2), end(6)]).rounds, {
    5: { lo: 1, hi: 1 },
    6: { lo: 2, hi: 2 },
  });
});
