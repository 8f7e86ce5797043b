import assert from "node:assert/strict";
import {
  checkFields,
  fieldOfMessage,
  firstInvalid,
  rulesOf,
} from "../../static/src/registration_checks.ts";
import { checkRegistration } from "../../src/auth/validation.ts";

const GOOD = {
  username: "alice_01",
  email: "alice@example.com",
  password: "correct horse",
  passwordConfirm: "correct horse",
};

Deno.test("rulesOf() states every rule of a field up front", () => {
  assert.deepEqual(rulesOf("password"), [
    "8 to 128 characters",
    "Not one of the commonest passwords",
    "At least 4 different characters",
    "Doesn't contain the username",
  ]);
  assert.equal(rulesOf("username").length, 1);
});

Deno.test("checkFields() checks every rule, with the server's words for the first broken one", () => {
  const input = { ...GOOD, password: "aaaaaaa", passwordConfirm: "x" };
  const checks = checkFields(input);
  assert.deepEqual(checks.password.rules.map((rule) => rule.ok), [false, true, false, true]);
  assert.equal(checks.password.message, "password must be 8 to 128 characters");
  assert.equal(checks.passwordConfirm.message, "passwords do not match");
  assert.equal(checks.username.message, null);
  assert.equal(firstInvalid(checks), "password");
  assert.equal(firstInvalid(checkFields(GOOD)), null);
});

Deno.test("checkFields() and the server agree on the first refusal, in field order", () => {
  const cases = [
    { ...GOOD, username: "a", email: "nope", password: "x", passwordConfirm: "y" },
    { ...GOOD, email: "nope", password: "password", passwordConfirm: "y" },
    { ...GOOD, password: "alice_01xyz", passwordConfirm: "nope" },
    { ...GOOD, passwordConfirm: "nope" },
  ];
  for (const input of cases) {
    const checks = checkFields(input);
    const field = firstInvalid(checks)!;
    const server = checkRegistration(input);
    assert.equal(server.ok, false);
    assert.equal(!server.ok && server.message, checks[field].message, JSON.stringify(input));
  }
});

Deno.test("fieldOfMessage() finds the field a server refusal is about", () => {
  assert.equal(fieldOfMessage("That username is already taken"), "username");
  assert.equal(fieldOfMessage("That email is already taken"), "email");
  assert.equal(fieldOfMessage("passwords do not match"), "passwordConfirm");
  assert.equal(fieldOfMessage("Too many registrations from this address"), null);
});

Deno.test("checkFields() takes names of every script, as the server does", () => {
  for (const username of ["Zoë", "José", "日本語の名前", "नमस्ते", "Jose\u0301"]) {
    const checks = checkFields({ ...GOOD, username });
    assert.equal(checks.username.message, null, username);
    assert.equal(checkRegistration({ ...GOOD, username }).ok, true, username);
  }
  // Counted as a person counts: two characters, even with marks, are too few.
  for (const username of ["e\u0301e\u0301", "名前", "a😀b"]) {
    assert.notEqual(checkFields({ ...GOOD, username }).username.message, null, username);
    assert.equal(checkRegistration({ ...GOOD, username }).ok, false, username);
  }
});

Deno.test("checkFields() lists each broken rule's message once, in the rules' order", () => {
  const checks = checkFields({ ...GOOD, password: "aaaaaaa", passwordConfirm: "aaaaaaa" });
  assert.deepEqual(checks.password.brokenMessages, [
    "password must be 8 to 128 characters",
    "password is too weak: use at least 4 different characters",
  ]);
  assert.equal(new Set(checks.password.brokenMessages).size, 2);
  assert.deepEqual(checks.username.brokenMessages, []);
  assert.deepEqual(checks.passwordConfirm.brokenMessages, []);
});
