import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import {
  generateSecret,
  signToken,
  TokenError,
  tokenKey,
  verifyToken,
} from "../../src/auth/tokens.ts";

const SECRET = "a-test-secret-of-at-least-32-bytes!!";
const ALICE = { id: 7, username: "Alice" };

function base64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function payloadOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
}

/** Asserts that verifying `token` throws a TokenError that doesn't quote it. */
async function assertRefused(token: string, message: RegExp = /Invalid token/): Promise<void> {
  await assert.rejects(() => verifyToken(SECRET, token), (error: unknown) => {
    assert.ok(error instanceof TokenError, `expected TokenError, got ${error}`);
    assert.match(error.message, message);
    for (const part of [token, ...token.split(".")].filter((p) => p.length > 4)) {
      assert.equal(error.message.includes(part), false, "the message quotes the token");
      assert.equal(String(error.stack).includes(part), false, "the stack quotes the token");
    }
    return true;
  });
}

Deno.test("signToken() and verifyToken() round-trip the player", async () => {
  const now = Date.now();
  const { token, expiresAt } = await signToken(SECRET, ALICE, 30, now);
  const iat = Math.floor(now / 1000);
  assert.equal(expiresAt, (iat + 30 * 60) * 1000);
  assert.deepEqual(payloadOf(token), { sub: "7", name: "Alice", iat, exp: iat + 1800 });
  assert.deepEqual(await verifyToken(SECRET, token), { id: 7, username: "Alice", expiresAt });
});

Deno.test("signToken() writes an HS256 JWT header", async () => {
  const { token } = await signToken(SECRET, ALICE, 30);
  const header = JSON.parse(atob(token.split(".")[0].replaceAll("-", "+").replaceAll("_", "/")));
  assert.deepEqual(header, { alg: "HS256", typ: "JWT" });
});

Deno.test("verifyToken() refuses an `alg: none` token", async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const header = base64url(JSON.stringify({ alg: "none", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ sub: "7", name: "Alice", exp }));
  await assertRefused(`${header}.${payload}.`);
  await assertRefused(`${header}.${payload}`);
});

Deno.test("verifyToken() refuses an HS512 token signed with the right secret", async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const token = await sign({ sub: "7", name: "Alice", exp }, SECRET, "HS512");
  await assertRefused(token);
});

Deno.test("verifyToken() refuses a token signed with another secret", async () => {
  const { token } = await signToken("another-secret-also-32-bytes-long!!", ALICE, 30);
  await assertRefused(token);
});

Deno.test("verifyToken() refuses a token whose payload was changed", async () => {
  const { token } = await signToken(SECRET, ALICE, 30);
  const [header, , signature] = token.split(".");
  const forged = base64url(JSON.stringify({ ...payloadOf(token), name: "Mallory" }));
  await assertRefused(`${header}.${forged}.${signature}`);
});

Deno.test("verifyToken() refuses a bad signature", async () => {
  const { token } = await signToken(SECRET, ALICE, 30);
  const [header, payload, signature] = token.split(".");
  const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
  await assertRefused(`${header}.${payload}.${flipped}`);
  await assertRefused(`${header}.${payload}.${base64url("x".repeat(32))}`);
});

Deno.test("verifyToken() refuses an expired token and says so", async () => {
  const twoHoursAgo = Date.now() - 2 * 60 * 60_000;
  const { token } = await signToken(SECRET, ALICE, 30, twoHoursAgo);
  await assertRefused(token, /^Token expired$/);
});

Deno.test("verifyToken() refuses garbage", async () => {
  for (const token of ["", "abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "....."]) {
    await assertRefused(token);
  }
});

Deno.test("verifyToken() refuses a well-signed token that names no player", async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const payloads = [
    { sub: "7", exp }, // no name
    { name: "Alice", exp }, // no sub
    { sub: "0", name: "Alice", exp },
    { sub: "-1", name: "Alice", exp },
    { sub: "1.5", name: "Alice", exp },
    { sub: "7", name: 7, exp },
    { sub: "7", name: "Alice" }, // no exp: never expires, so refused
  ];
  for (const payload of payloads) {
    await assertRefused(await sign(payload, SECRET, "HS256"));
  }
});

Deno.test("generateSecret() makes a fresh 32-byte hex secret", () => {
  const a = generateSecret();
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, generateSecret());
});

Deno.test("signToken() takes a secret containing PRIVATE as raw bytes, not as a PEM key", async () => {
  const secret = "-----BEGIN PRIVATE KEY----- not a pem, only a secret";
  const { token } = await signToken(secret, { id: 3, username: "ann" }, 5);
  const key = await tokenKey(secret);
  assert.deepEqual((await verifyToken(key, token)).username, "ann");
});
