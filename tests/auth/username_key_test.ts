import assert from "node:assert/strict";
import { usernameKey } from "../../src/auth/username_key.ts";

function assertSameKey(names: string[]): void {
  const keys = new Set(names.map(usernameKey));
  assert.equal(keys.size, 1, `${names.join(", ")} → ${[...keys].join(", ")}`);
}

Deno.test("usernameKey() ignores case", () => {
  assertSameKey(["alice", "ALICE", "Alice", "aLiCe"]);
});

Deno.test("usernameKey() folds capital I, small l, 1 and | into one class", () => {
  assertSameKey(["alice", "aIice", "a1ice", "a|ice", "AIICE", "aiice"]);
});

Deno.test("usernameKey() folds O and 0, S and 5, B and 8", () => {
  assertSameKey(["bosco", "B0SC0", "bo5co", "8osco"]);
});

Deno.test("usernameKey() reads rn as m and vv as w", () => {
  assertSameKey(["martin", "rnartin", "RNartin"]);
  assertSameKey(["will", "vvill", "VVi11"]);
});

Deno.test("usernameKey() treats _, - and . alike", () => {
  assertSameKey(["jean_luc", "jean-luc", "jean.luc"]);
});

Deno.test("usernameKey() applies Unicode NFKC first", () => {
  assertSameKey(["alice", "ａｌｉｃｅ", "ＡＬＩＣＥ"]);
  assertSameKey(["office", "oﬃce"]);
});

Deno.test("usernameKey() keeps names that read differently apart", () => {
  const names = ["alice", "alicia", "bob", "rob", "martin", "marten", "jeanluc", "jean_luc2"];
  assert.equal(new Set(names.map(usernameKey)).size, names.length);
});

Deno.test("usernameKey() of a key is the key itself", () => {
  for (const name of ["aIice", "rnrn", "vvv", "B0b_5", "ｒｎ", "x.y-z"]) {
    assert.equal(usernameKey(usernameKey(name)), usernameKey(name), name);
  }
});

Deno.test("usernameKey() folds letters of other scripts that look Latin (Cyrillic а, Greek ο)", () => {
  assertSameKey(["alice", "\u0430lice", "\u0410LICE"]);
  assertSameKey(["bob", "b\u03bfb", "b\u043eb"]);
  assertSameKey(["paypal", "\u0440\u0430yp\u0430l"]);
});

Deno.test("usernameKey() still takes AL1CE and aIice for alice", () => {
  assertSameKey(["alice", "AL1CE", "aIice", "ａｌ１ｃｅ"]);
});

Deno.test("usernameKey() keeps names of other scripts and accented names apart", () => {
  const names = ["Zoë", "Zoe", "José", "Jose", "日本語の名前", "日本語", "नमस्ते", "नमस्त", "Ελένη"];
  assert.equal(new Set(names.map(usernameKey)).size, names.length);
});

Deno.test("usernameKey() gives a name in any Unicode form one key", () => {
  assertSameKey(["Zoë", "Zoe\u0308", "ZOË"]);
  assertSameKey(["José", "Jose\u0301", "JOSÉ"]);
});
