import assert from "node:assert/strict";
import { attributeTabScores } from "../../bench/soak_tab_scores.ts";
import type { SoakEvent } from "../../bench/soak_events.ts";
import { click, end, join, lost } from "./score_events.ts";

function spans(tabs: SoakEvent[][]) {
  const found = attributeTabScores(tabs);
  return { rounds: Object.fromEntries(found.rounds), anomalies: found.anomalies };
}

Deno.test("attributeTabScores() takes the tabs' answers of a round as 1…N together", () => {
  assert.deepEqual(
    spans([
      [join(5), click(1), click(3), end(5), click(2)],
      [join(5), click(2), click(4), end(5), click(1)],
      [join(5), end(5)],
    ]),
    { rounds: { 5: { lo: 4, hi: 4 }, 6: { lo: 2, hi: 2 } }, anomalies: [] },
  );
});

Deno.test("attributeTabScores() moves a tab's answer that starts again before EndRound", () => {
  // Tab 1's click 1 came after round 5 closed, before its EndRound reached tab 1.
  assert.deepEqual(
    spans([
      [join(5), click(1), click(3), click(1), end(5)],
      [join(5), click(2), end(5), click(2)],
    ]),
    { rounds: { 5: { lo: 3, hi: 3 }, 6: { lo: 2, hi: 2 } }, anomalies: [] },
  );
  // A tab's first click of the round whose score the round already has belongs to the next.
  assert.deepEqual(
    spans([
      [join(5), click(1), click(2), end(5), click(2)],
      [join(5), click(1), end(5)],
    ]),
    { rounds: { 5: { lo: 2, hi: 2 }, 6: { lo: 2, hi: 2 } }, anomalies: [] },
  );
});

Deno.test("attributeTabScores() reports a score answered twice or skipped", () => {
  const { anomalies } = spans([[join(5), click(1), click(2), click(4)], [join(5, 2), click(4)]]);
  assert.deepEqual(anomalies, [
    "round 5: tabs were answered score 4 twice",
    "round 5: tabs' answers skip 1 of 1…4",
  ]);
});

Deno.test("attributeTabScores() lets clicks lost with their connection fill the gaps or the top", () => {
  assert.deepEqual(spans([[join(5), click(1), lost, click(3), lost]]), {
    rounds: { 5: { lo: 3, hi: 4 } },
    anomalies: [],
  });
});
