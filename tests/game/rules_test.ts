import assert from "node:assert/strict";
import {
  buyMultiplier,
  increment,
  multiplierCost,
  roundWinners,
  START,
} from "../../src/game/rules.ts";

Deno.test("increment() adds the multiplier to the score", () => {
  assert.deepEqual(increment(START), { score: 1, multiplier: 1 });
  assert.deepEqual(increment({ score: 10, multiplier: 4 }), { score: 14, multiplier: 4 });
});

Deno.test("multiplierCost() is 10 × the multiplier: 10, 20, 40, 80", () => {
  assert.deepEqual([1, 2, 4, 8].map(multiplierCost), [10, 20, 40, 80]);
});

Deno.test("buyMultiplier() spends the cost and doubles the multiplier", () => {
  assert.deepEqual(buyMultiplier({ score: 25, multiplier: 1 }), {
    ok: true,
    standing: { score: 15, multiplier: 2 },
  });
  assert.deepEqual(buyMultiplier({ score: 20, multiplier: 2 }), {
    ok: true,
    standing: { score: 0, multiplier: 4 },
  });
});

Deno.test("buyMultiplier() follows the cost sequence 10, 20, 40, 80", () => {
  let standing = { score: 150, multiplier: 1 };
  const spent: number[] = [];
  for (;;) {
    const result = buyMultiplier(standing);
    if (!result.ok) break;
    spent.push(standing.score - result.standing.score);
    standing = result.standing;
  }
  assert.deepEqual(spent, [10, 20, 40, 80]);
  assert.deepEqual(standing, { score: 0, multiplier: 16 });
});

Deno.test("buyMultiplier() refuses when the score is below the cost", () => {
  assert.deepEqual(buyMultiplier({ score: 9, multiplier: 1 }), {
    ok: false,
    reason: "score-too-low",
    cost: 10,
  });
  assert.deepEqual(buyMultiplier({ score: 39, multiplier: 4 }), {
    ok: false,
    reason: "score-too-low",
    cost: 40,
  });
});

Deno.test("roundWinners() names the single top scorer", () => {
  const players = [{ name: "a", score: 3 }, { name: "b", score: 7 }, { name: "c", score: 5 }];
  const outcome = roundWinners(players);
  assert.deepEqual(outcome.winners.map((p) => p.name), ["b"]);
  assert.equal(outcome.nbClicks, 7);
});

Deno.test("roundWinners() lets every tied top scorer win", () => {
  const players = [{ name: "a", score: 7 }, { name: "b", score: 2 }, { name: "c", score: 7 }];
  const outcome = roundWinners(players);
  assert.deepEqual(outcome.winners.map((p) => p.name), ["a", "c"]);
  assert.equal(outcome.nbClicks, 7);
});

Deno.test("roundWinners() has no winner when nobody scored", () => {
  assert.deepEqual(roundWinners([]), { winners: [], nbClicks: 0 });
  assert.deepEqual(roundWinners([{ score: 0 }, { score: 0 }]), { winners: [], nbClicks: 0 });
});

Deno.test("roundWinners() never lets a zero score win", () => {
  const outcome = roundWinners([{ name: "a", score: 0 }, { name: "b", score: 1 }]);
  assert.deepEqual(outcome.winners.map((p) => p.name), ["b"]);
});
