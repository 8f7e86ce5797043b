import assert from "node:assert/strict";
import { plainJsonString, scoreUpdateJson } from "../../src/hub/json_score_update.ts";
import { encodeResult } from "../../src/hub/json_protocol.ts";
import { GameState } from "../../src/game/game_state.ts";
import { RECORD_SEPARATOR as RS } from "../../src/hub/wire.ts";

/** A completion as the protocol wrote it with `JSON.stringify` alone. */
function stringified(invocationId: string, result: unknown): string {
  return `{"type":3,"invocationId":${JSON.stringify(invocationId)},"result":${
    JSON.stringify(result)
  }}${RS}`;
}

Deno.test("scoreUpdateJson() writes the game's answers to clicks and purchases as JSON.stringify", () => {
  const game = new GameState({ maxClicksPerSecond: 2 });
  const player = game.join(1, "ann", 0);
  const answers: unknown[] = [];
  for (let i = 0; i < 30; i++) answers.push(game.increment(player, 0));
  answers.push(game.buyMultiplier(player, 0), game.standing(player));
  player.score = 12_345_678_901;
  answers.push(game.standing(player));
  let written = 0;
  for (const answer of answers) {
    const standing = "standing" in (answer as object)
      ? (answer as { standing: unknown }).standing
      : answer;
    const text = scoreUpdateJson(standing);
    if (text === undefined) continue;
    written++;
    assert.equal(text, JSON.stringify(standing));
  }
  // Capped clicks (counted false) and counted ones alike.
  assert.ok(written >= 30, `only ${written} written`);
});

Deno.test("scoreUpdateJson() writes numbers as JSON.stringify does", () => {
  for (
    const score of [0, -0, 1, -7, 2.5, 1e21, 123456789012345680000, 5e-7, Number.MAX_SAFE_INTEGER]
  ) {
    for (const counted of [true, false]) {
      const value = { score, multiplier: 2 ** 40, multiplierCost: 10 * 2 ** 40, counted };
      assert.equal(scoreUpdateJson(value), JSON.stringify(value));
    }
  }
});

Deno.test("scoreUpdateJson() leaves any other value to JSON.stringify", () => {
  const base = { score: 1, multiplier: 1, multiplierCost: 10, counted: true };
  const inherited = Object.assign(Object.create({ extra: 1 }), base);
  class Update {
    score = 1;
    multiplier = 1;
    multiplierCost = 10;
    counted = true;
    toJSON() {
      return "custom";
    }
  }
  for (
    const value of [
      null,
      undefined,
      1,
      "text",
      [1, 2],
      {},
      { ...base, score: NaN },
      { ...base, multiplier: Infinity },
      { ...base, multiplierCost: "10" },
      { ...base, counted: 1 },
      { ...base, extra: 1 },
      { multiplier: 1, score: 1, multiplierCost: 10, counted: true },
      { score: 1, multiplier: 1, multiplierCost: 10 },
      { ...base, toJSON: () => "custom" },
      inherited,
    ]
  ) {
    assert.equal(scoreUpdateJson(value), undefined, JSON.stringify(value));
  }
  // A class whose prototype writes its own JSON: its method is not enumerable, so the
  // fields match, yet JSON.stringify's answer is the method's.
  assert.equal(scoreUpdateJson(new Update()), undefined);
  assert.equal(encodeResult("1", new Update()), stringified("1", new Update()));
});

Deno.test("plainJsonString() quotes plain text only, as JSON.stringify does", () => {
  for (const text of ["", "0", "123456", "a b~!#[]{}", "x".repeat(128)]) {
    assert.equal(plainJsonString(text), JSON.stringify(text));
  }
  for (const text of ['a"b', "a\\b", "a\nb", "é", "\x7f", "\ud800", "😀", "\u2028"]) {
    assert.equal(plainJsonString(text), undefined, text);
  }
});

Deno.test("encodeResult() writes the same text as JSON.stringify for every id and result", () => {
  const results: unknown[] = [
    { score: 3, multiplier: 2, multiplierCost: 20, counted: true },
    { score: 3, multiplier: 2, multiplierCost: 20, counted: false },
    { score: NaN, multiplier: 2, multiplierCost: 20, counted: true },
    null,
    { ok: true },
  ];
  for (const id of ["1", "99999", 'q"uote', "back\\slash", "tab\t", "é", "\ud800", "\x7f"]) {
    for (const result of results) assert.equal(encodeResult(id, result), stringified(id, result));
  }
});
