import assert from "node:assert/strict";
import {
  type HashParameters,
  hashPassword,
  OWASP,
  verifyNothing,
  verifyPassword,
} from "../../src/auth/passwords.ts";

// Cheap parameters keep the format tests fast; the real cost is tested once.
const CHEAP: HashParameters = { memory: 64, passes: 1, parallelism: 1 };
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

Deno.test("hashPassword() writes a PHC string carrying its parameters, salt and hash", async () => {
  const hash = await hashPassword("correct horse", CHEAP);
  const match = PHC.exec(hash);
  assert.ok(match, hash);
  assert.deepEqual(match.slice(1, 4), ["64", "1", "1"]);
  assert.equal(atob(match[4] + "==").length, 16, "16-byte salt");
  assert.equal(atob(match[5] + "=").length, 32, "256-bit hash");
});

Deno.test("hashPassword() uses OWASP's minimum by default, and verifyPassword() checks it", async () => {
  const hash = await hashPassword("correct horse");
  assert.ok(hash.startsWith(`$argon2id$v=19$m=${OWASP.memory},t=${OWASP.passes},p=1$`), hash);
  assert.equal(await verifyPassword("correct horse", hash), true);
});

Deno.test("verifyPassword() is true for the password and false for any other", async () => {
  const hash = await hashPassword("correct horse", CHEAP);
  assert.equal(await verifyPassword("correct horse", hash), true);
  for (const wrong of ["Correct horse", "correct horse ", "", "correct hors"]) {
    assert.equal(await verifyPassword(wrong, hash), false, wrong);
  }
});

Deno.test("verifyPassword() reads the parameters from the hash it checks", async () => {
  const other: HashParameters = { memory: 128, passes: 2, parallelism: 2 };
  const hash = await hashPassword("pw", other);
  assert.match(hash, /\$m=128,t=2,p=2\$/);
  assert.equal(await verifyPassword("pw", hash), true);
});

Deno.test("hashPassword() salts each hash differently", async () => {
  const a = await hashPassword("same password", CHEAP);
  const b = await hashPassword("same password", CHEAP);
  assert.notEqual(a, b);
  assert.notEqual(PHC.exec(a)![4], PHC.exec(b)![4]);
  assert.equal(await verifyPassword("same password", a), true);
  assert.equal(await verifyPassword("same password", b), true);
});

Deno.test("verifyPassword() is false, never an error, for a malformed hash", async () => {
  const good = await hashPassword("pw", CHEAP);
  const [, , , params, salt, hash] = good.split("$");
  const malformed = [
    "",
    "pw",
    "not a hash",
    good.replace("argon2id", "argon2i"),
    good.replace("v=19", "v=16"),
    good + "$",
    good.slice(0, -1) + "!",
    `$argon2id$v=19$${params}$${salt}`,
    `$argon2id$v=19$${params}$${salt}$a`, // base64 of no whole byte
    `$argon2id$v=19$m=1,t=1,p=1$${salt}$${hash}`, // memory Argon2 refuses
    `$argon2id$v=19$m=64,t=0,p=1$${salt}$${hash}`, // no passes
    `$argon2id$v=19$m=64,t=1,p=0$${salt}$${hash}`, // no lanes
    `$argon2id$v=19$${params}$c2E$${hash}`, // 2-byte salt
    `$argon2id$v=19$${params}$${salt}$${hash.slice(0, 20)}`, // shorter hash
  ];
  for (const stored of malformed) {
    assert.equal(await verifyPassword("pw", stored), false, stored);
  }
});

Deno.test("verifyNothing() is always false", async () => {
  assert.equal(await verifyNothing("not a password of anyone", CHEAP), false);
  assert.equal(await verifyNothing("", CHEAP), false);
});
