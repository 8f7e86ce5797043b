import assert from "node:assert/strict";
import { joinNames, plural, resultText, wholeNumber } from "../../static/src/round_text.ts";

Deno.test("joinNames() lists names the way people write them", () => {
  assert.equal(joinNames([]), "");
  assert.equal(joinNames(["ann"]), "ann");
  assert.equal(joinNames(["ann", "bob"]), "ann and bob");
  assert.equal(joinNames(["ann", "bob", "cy"]), "ann, bob and cy");
  assert.equal(joinNames(["a", "b", "c", "d", "e", "f"]), "a, b, c and 3 others");
});

Deno.test("plural() counts one and many", () => {
  assert.equal(plural(1, "click"), "1 click");
  assert.equal(plural(1234, "click"), "1,234 clicks");
});

Deno.test("resultText() says when you won", () => {
  const text = resultText({ roundId: 4, winners: ["ann"], nbClicks: 42, outcome: "won" }, "ann");
  assert.equal(text.label, "Round 4 is over");
  assert.equal(text.headline, "You won!");
  assert.match(text.detail, /42 points/);
});

Deno.test("resultText() says when you tied and with whom", () => {
  const text = resultText(
    { roundId: 4, winners: ["Ann", "bob"], nbClicks: 9, outcome: "tied" },
    "ann",
  );
  assert.equal(text.headline, "You tied for the win!");
  assert.equal(text.detail, "You and bob each scored 9 points.");
});

Deno.test("resultText() names the winners when you lost", () => {
  const one = resultText({ roundId: 4, winners: ["bob"], nbClicks: 1, outcome: "lost" }, "ann");
  assert.equal(one.headline, "bob wins");
  assert.match(one.detail, /^1 point\./);
  const two = resultText(
    { roundId: 4, winners: ["bob", "cy"], nbClicks: 8, outcome: "lost" },
    "ann",
  );
  assert.equal(two.headline, "bob and cy tie");
});

Deno.test("resultText() says no winner when nobody played", () => {
  const text = resultText({ roundId: 4, winners: [], nbClicks: 0, outcome: "none" }, "ann");
  assert.equal(text.headline, "No winner");
});

Deno.test("wholeNumber() groups digits as en-US does", () => {
  for (const n of [0, 7, 999, 1_000, 12_345, 1_234_567, -4_200, Number.MAX_SAFE_INTEGER]) {
    assert.equal(wholeNumber(n), n.toLocaleString("en-US"), String(n));
  }
  assert.equal(wholeNumber(1.5), (1.5).toLocaleString("en-US"));
});
