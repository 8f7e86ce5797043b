import assert from "node:assert/strict";
import { connectionToken, RANDOM_BYTES, tokenOwner } from "../../src/hub/connection_token.ts";

const BYTES = new Uint8Array(RANDOM_BYTES).map((_, i) => i * 17);

Deno.test("connectionToken() is 16 random bytes in base64url, without an owner", () => {
  assert.equal(connectionToken(undefined, BYTES), "ABEiM0RVZneImaq7zN3u_w");
  assert.match(connectionToken(), /^[\w-]{22}$/);
  assert.notEqual(connectionToken(), connectionToken());
});

Deno.test("connectionToken() prefixes the owner and a dot", () => {
  assert.equal(connectionToken("web-8001", BYTES), "web-8001.ABEiM0RVZneImaq7zN3u_w");
  assert.equal(connectionToken("a.b", BYTES), "a.b.ABEiM0RVZneImaq7zN3u_w");
});

Deno.test("connectionToken() refuses a bad owner or the wrong number of bytes", () => {
  assert.throws(() => connectionToken("", BYTES), RangeError);
  assert.throws(() => connectionToken("web 1", BYTES), RangeError);
  assert.throws(() => connectionToken("x".repeat(65), BYTES), RangeError);
  assert.throws(() => connectionToken("web", new Uint8Array(15)), RangeError);
});

Deno.test("tokenOwner() reads back the owner of every token connectionToken() makes", () => {
  for (const owner of ["web-8001", "s123-abcd1234", "a.b.c", "_", "x".repeat(64)]) {
    assert.equal(tokenOwner(connectionToken(owner)), owner);
  }
});

Deno.test("tokenOwner() names no owner for a token without one", () => {
  assert.equal(tokenOwner(connectionToken()), undefined);
  assert.equal(tokenOwner(""), undefined);
  assert.equal(tokenOwner("."), undefined);
});

Deno.test("tokenOwner() refuses anything a server doesn't make", () => {
  const random = "ABEiM0RVZneImaq7zN3u_w";
  for (
    const token of [
      `.${random}`, // no owner
      `web.${random}x`, // random part too long
      `web.${random.slice(1)}`, // too short
      `web.${random.slice(1)}+`, // not base64url
      `we b.${random}`, // a space in the owner
      `web/../x.${random}`, // a path in the owner
      `http://evil:1/.${random}`,
      `${"x".repeat(65)}.${random}`, // owner too long
      `web.${random}.`, // nothing after the last dot
      `web.${random}\n`,
      `wéb.${random}`,
    ]
  ) {
    assert.equal(tokenOwner(token), undefined, token);
  }
});
