/**
 * The numbers the click script is built with: the multiplier ladder comes
 * from running the rule of `rules.ts` itself (the script against a real
 * Redis is in `redis_scripts_test.ts` and the game contract).
 */

import assert from "node:assert/strict";
import { multiplierLadder } from "../../src/cluster/click_script.ts";
import { buyMultiplier, multiplierCost, START } from "../../src/game/rules.ts";

Deno.test("multiplierLadder() climbs from the start multiplier as buyMultiplier() does", () => {
  const ladder = multiplierLadder();
  assert.equal(ladder[0].multiplier, START.multiplier);
  for (const [i, rung] of ladder.entries()) {
    assert.equal(rung.cost, multiplierCost(rung.multiplier));
    const bought = buyMultiplier({ score: rung.cost, multiplier: rung.multiplier });
    assert.ok(bought.ok);
    assert.equal(rung.next, bought.standing.multiplier);
    if (i > 0) assert.equal(rung.multiplier, ladder[i - 1].next);
  }
});

Deno.test("multiplierLadder() stops where the next cost is no longer an exact integer", () => {
  const last = multiplierLadder().at(-1)!;
  assert.ok(Number.isSafeInteger(last.cost));
  assert.ok(!Number.isSafeInteger(multiplierCost(last.next)) || !Number.isSafeInteger(last.next));
  assert.ok(last.multiplier >= 2 ** 40, `the ladder ends at ${last.multiplier}`);
});
