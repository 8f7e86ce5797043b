import assert from "node:assert/strict";
import { checkLogin, checkRegistration } from "../../src/auth/validation.ts";

const GOOD = {
  username: "alice_01",
  email: "alice@example.com",
  password: "correct horse",
  passwordConfirm: "correct horse",
};

function refusal(
  body: unknown,
  check: (body: unknown) => { ok: true } | { ok: false; message: string } = checkRegistration,
): string {
  const checked = check(body);
  assert.equal(checked.ok, false, `${JSON.stringify(body)} should be refused`);
  return checked.ok ? "" : checked.message;
}

Deno.test("checkRegistration() accepts a good body and keeps username, email and password", () => {
  assert.deepEqual(checkRegistration(GOOD), {
    ok: true,
    value: { username: "alice_01", email: "alice@example.com", password: "correct horse" },
  });
});

Deno.test("checkRegistration() trims the email but not the password", () => {
  const checked = checkRegistration({
    ...GOOD,
    email: "  alice@example.com ",
    password: " spaced pass ",
    passwordConfirm: " spaced pass ",
  });
  assert.ok(checked.ok);
  assert.equal(checked.value.email, "alice@example.com");
  assert.equal(checked.value.password, " spaced pass ");
});

Deno.test("checkRegistration() refuses a body that is not a JSON object", () => {
  for (const body of [null, undefined, 42, "text", [], [GOOD], true]) {
    assert.match(refusal(body), /JSON object/);
  }
});

Deno.test("checkRegistration() names a missing field", () => {
  for (const key of ["username", "email", "password", "passwordConfirm"] as const) {
    const { [key]: _, ...rest } = GOOD;
    assert.match(refusal(rest), new RegExp(`^${key} is required`));
    assert.match(refusal({ ...GOOD, [key]: null }), new RegExp(`^${key} is required`));
    assert.match(refusal({ ...GOOD, [key]: "" }), new RegExp(`^${key} is required`));
  }
});

Deno.test("checkRegistration() names a field that is not a string", () => {
  for (const key of ["username", "email", "password", "passwordConfirm"] as const) {
    for (const value of [42, true, ["x"], { x: 1 }]) {
      assert.match(refusal({ ...GOOD, [key]: value }), new RegExp(`^${key} must be a string`));
    }
  }
});

Deno.test("checkRegistration() takes usernames of 3 to 32 letters, digits, '_', '-' and '.'", () => {
  for (const username of ["abc", "a".repeat(32), "A.b-c_9", "123"]) {
    assert.ok(checkRegistration({ ...GOOD, username }).ok, username);
  }
  for (
    const username of ["ab", "a".repeat(33), "has space", "semi;colon", "émile", "a/b", "<b>x</b>"]
  ) {
    assert.match(refusal({ ...GOOD, username }), /^username must be 3 to 32/, username);
  }
});

Deno.test("checkRegistration() refuses a malformed email and one over 254 characters", () => {
  for (
    const email of [
      "plain",
      "no-at.example.com",
      "a@b",
      "a@@b.com",
      "a b@example.com",
      "<a>@example.com",
      "a@-example.com",
      "a@example..com",
    ]
  ) {
    assert.match(refusal({ ...GOOD, email }), /^email must be a valid email address/, email);
  }
  const long = "a".repeat(243) + "@example.com"; // 255 characters
  assert.equal(long.length, 255);
  assert.match(refusal({ ...GOOD, email: long }), /^email/);
  const longest = "a".repeat(242) + "@example.com"; // 254 characters
  assert.ok(checkRegistration({ ...GOOD, email: longest }).ok);
});

Deno.test("checkRegistration() refuses a password under 8 or over 128 characters", () => {
  for (const password of ["short", "1234567", "x".repeat(129)]) {
    assert.match(
      refusal({ ...GOOD, password, passwordConfirm: password }),
      /^password must be 8 to 128/,
    );
  }
  for (const password of ["1234567a", "xyzw".repeat(32)]) {
    assert.ok(checkRegistration({ ...GOOD, password, passwordConfirm: password }).ok);
  }
});

Deno.test("checkRegistration() refuses passwords that differ", () => {
  assert.match(refusal({ ...GOOD, passwordConfirm: "correct horsE" }), /do not match/);
});

Deno.test("checkLogin() accepts both fields and keeps them as given", () => {
  assert.deepEqual(checkLogin({ username: "Alice", password: " pw " }), {
    ok: true,
    value: { username: "Alice", password: " pw " },
  });
});

Deno.test("checkLogin() refuses a missing, empty or non-string field and a non-object", () => {
  assert.match(refusal({ password: "x" }, checkLogin), /^username is required/);
  assert.match(refusal({ username: "a", password: "" }, checkLogin), /^password is required/);
  assert.match(refusal({ username: 1, password: "x" }, checkLogin), /^username must be a string/);
  assert.match(refusal([], checkLogin), /JSON object/);
});

Deno.test("checkLogin() refuses absurdly long input before any hashing", () => {
  assert.match(refusal({ username: "a".repeat(255), password: "x" }, checkLogin), /too long/);
  assert.match(refusal({ username: "a", password: "x".repeat(1025) }, checkLogin), /too long/);
});

Deno.test("checkRegistration() refuses weak passwords of the right length", () => {
  const base = { username: "ann", email: "ann@example.com" };
  for (
    const [password, message] of [
      ["password", /too common/],
      ["12345678", /too common/],
      ["aaaaaaaaaa", /4 different characters/],
      ["abababab", /4 different characters/],
      ["my-ann-secret", /must not contain the username/],
    ] as const
  ) {
    const checked = checkRegistration({ ...base, password, passwordConfirm: password });
    assert.equal(checked.ok, false, password);
    assert.match((checked as { message: string }).message, message);
  }
  assert.equal(
    checkRegistration({ ...base, password: "tr0ub4dor", passwordConfirm: "tr0ub4dor" }).ok,
    true,
  );
});
