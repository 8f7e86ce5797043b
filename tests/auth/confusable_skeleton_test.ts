import assert from "node:assert/strict";
import { skeleton } from "../../src/auth/confusable_skeleton.ts";

Deno.test("skeleton() maps letters of other scripts to the Latin ones they look like", () => {
  assert.equal(skeleton("\u0430"), "a"); // Cyrillic а
  assert.equal(skeleton("\u03bf"), "o"); // Greek ο
  assert.equal(skeleton("\u0440\u0430ypal"), skeleton("paypal"));
});

Deno.test("skeleton() follows Unicode's mapping for digits and m", () => {
  assert.equal(skeleton("1"), "l");
  assert.equal(skeleton("0"), "O");
  assert.equal(skeleton("I"), "l");
  assert.equal(skeleton("m"), "rn");
});

Deno.test("skeleton() keeps accents and other scripts' own letters", () => {
  assert.equal(skeleton("é"), "e\u0301");
  assert.notEqual(skeleton("José"), skeleton("Jose"));
  assert.equal(skeleton("日本語"), "日本語");
});

Deno.test("skeleton() of a skeleton is the skeleton itself", () => {
  for (const text of ["\u0430lice", "AL1CE", "rnartin", "José", "Ελένη", "नमस्ते"]) {
    assert.equal(skeleton(skeleton(text)), skeleton(text), text);
  }
});
