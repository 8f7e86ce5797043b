/**
 * Registration and login, called in memory on the real routes; a few tests
 * against the real server cover what only a socket shows (a declared or
 * streamed oversized body, the stored token secret, the page).
 *
 * @module
 */

import assert from "node:assert/strict";
import { verifyToken } from "../../src/auth/tokens.ts";
import { getSetting } from "../../src/db/settings.ts";
import { findPlayerByUsername } from "../../src/db/accounts.ts";
import type { AccountDeps } from "../../src/http/account_routes.ts";
import { OWASP } from "../../src/auth/passwords.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { uniqueName } from "../support/accounts.ts";
import { type MemoryApp, memoryApp } from "./memory_app.ts";

const PASSWORD = "correct horse battery";

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** Sends `init` (a POST as JSON unless told) and reads the answer, which must be JSON. */
function sendWith(fetcher: (init: RequestInit) => Promise<Response>) {
  return async (init: RequestInit): Promise<Answer> => {
    const headers = new Headers(init.headers);
    if (init.method === "POST" && !headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    const response = await fetcher({ ...init, headers });
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    assert.match(type, /^application\/json/, `${response.status} ${type}: ${text.slice(0, 200)}`);
    return { status: response.status, body: JSON.parse(text), headers: response.headers };
  };
}

/** Sends to `path` of the in-memory app. */
function sendTo(app: MemoryApp, path: string) {
  return sendWith((init) => app.request(path, init));
}

/** POSTs `body` as JSON to `path` of the in-memory app. */
function postTo(app: MemoryApp, path: string) {
  const send = sendTo(app, path);
  return (body: unknown) => send({ method: "POST", body: JSON.stringify(body) });
}

function registration(username = uniqueName(), overrides: Record<string, unknown> = {}) {
  return {
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
    ...overrides,
  };
}

/** Asserts a 400 whose `message` is a sentence matching `pattern`. */
function assertBadRequest(answer: Answer, pattern: RegExp, what: string): void {
  assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body.message, "string", what);
  assert.match(answer.body.message as string, pattern, what);
}

/** A test on the in-memory app with the account settings `accounts`. */
function withApp(
  name: string,
  accounts: Partial<AccountDeps>,
  fn: (t: Deno.TestContext, app: MemoryApp) => Promise<void>,
): void {
  Deno.test(name, async (t) => {
    const app = await memoryApp({ accounts });
    try {
      await fn(t, app);
    } finally {
      await app.close();
    }
  });
}

const GENEROUS = { registrationsPerHour: 1000, loginAttempts: 1000 };

withApp("POST /api/account/register", GENEROUS, async (t, app) => {
  const path = "/api/account/register";
  const send = sendTo(app, path);
  const post = postTo(app, path);

  await t.step("answers 200 with a message and stores a hashed password", async () => {
    const body = registration();
    const answer = await post(body);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(typeof answer.body.message, "string");
    const player = await findPlayerByUsername(app.db, body.username);
    assert.ok(player);
    assert.match(player.password_hash, /^\$argon2id\$/);
    assert.equal(player.password_hash.includes(PASSWORD), false);
  });

  await t.step("answers 400 when a field is missing, null or empty", async () => {
    for (const key of ["username", "email", "password", "passwordConfirm"]) {
      const { [key as keyof ReturnType<typeof registration>]: _, ...rest } = registration();
      assertBadRequest(await post(rest), new RegExp(key), `missing ${key}`);
      assertBadRequest(await post({ ...registration(), [key]: null }), new RegExp(key), key);
      assertBadRequest(await post({ ...registration(), [key]: "" }), new RegExp(key), key);
    }
    assertBadRequest(await post({}), /required/, "empty object");
  });

  await t.step("answers 400 when a field is not a string", async () => {
    for (const value of [42, true, ["a"], { a: 1 }]) {
      assertBadRequest(
        await post(registration(undefined, { username: value })),
        /username must be a string/,
        JSON.stringify(value),
      );
      assertBadRequest(
        await post(registration(undefined, { password: value, passwordConfirm: value })),
        /password must be a string/,
        JSON.stringify(value),
      );
    }
  });

  await t.step("answers 400 when the passwords differ", async () => {
    assertBadRequest(
      await post(registration(undefined, { passwordConfirm: PASSWORD + "!" })),
      /match/,
      "passwords differ",
    );
  });

  await t.step("answers 400 for a bad email or one over 254 characters", async () => {
    for (const email of ["not-an-email", "a@b", "a b@example.com", "@example.com"]) {
      assertBadRequest(await post(registration(undefined, { email })), /email/, email);
    }
    const long = "a".repeat(243) + "@example.com";
    assertBadRequest(await post(registration(undefined, { email: long })), /email/, "255 chars");
  });

  await t.step("answers 400 for a short or overlong password", async () => {
    for (const password of ["short", "1234567", "x".repeat(129)]) {
      assertBadRequest(
        await post(registration(undefined, { password, passwordConfirm: password })),
        /password/,
        `password of ${password.length}`,
      );
    }
  });

  await t.step("answers 400 for a username too short, too long or of bad characters", async () => {
    for (const username of ["ab", "a".repeat(33), "has space", "bad!name", "zoë😀", "<b>"]) {
      assertBadRequest(await post(registration(username)), /username/, username);
    }
  });

  await t.step("answers 400 for a body that isn't a JSON object", async () => {
    for (const raw of ["", "not json", "{", '{"username": "a",}', "[]", "[1,2]", "42", "null"]) {
      assertBadRequest(await send({ method: "POST", body: raw }), /JSON/, raw);
    }
    assertBadRequest(await send({ method: "POST" }), /JSON/, "no body");
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"\xff\xfe"}
    assertBadRequest(await send({ method: "POST", body: bytes }), /JSON/, "bad UTF-8");
  });

  await t.step("answers 409 for a username taken in another case", async () => {
    const name = uniqueName("Dup");
    assert.equal((await post(registration(name))).status, 200);
    const again = await post(registration(name.toLowerCase(), { email: `x${name}@example.org` }));
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.match(again.body.message as string, /username/);
  });

  await t.step("answers 409 for a username that reads like a taken one", async () => {
    const name = uniqueName("alice");
    assert.equal((await post(registration(name))).status, 200);
    const taken = await post(registration(name.toUpperCase(), { email: `x${name}@example.org` }));
    assert.equal(taken.status, 409);
    for (
      const lookAlike of [name.replace("l", "I"), name.replace("l", "1"), name.replace("i", "l")]
    ) {
      const answer = await post(registration(lookAlike, { email: `y${lookAlike}@example.org` }));
      assert.equal(answer.status, 409, lookAlike);
      assert.deepEqual(answer.body, taken.body, "the same answer as for a taken name");
    }
    const dotted = uniqueName("jean.luc");
    assert.equal((await post(registration(dotted))).status, 200);
    for (const lookAlike of [dotted.replace(".", "_"), dotted.replace(".", "-")]) {
      const answer = await post(registration(lookAlike, { email: `z${lookAlike}@example.org` }));
      assert.equal(answer.status, 409, lookAlike);
    }
  });

  await t.step("takes names of every script, stored in NFKC, and logs them in", async () => {
    const login = postTo(app, "/api/account/login");
    for (
      const [typed, stored] of [
        ["Zoë", "Zoë"],
        ["Jose\u0301", "José"],
        ["日本語の名前", "日本語の名前"],
        ["नमस्ते", "नमस्ते"],
      ]
    ) {
      const answer = await post(registration(typed, { email: `${uniqueName()}@example.com` }));
      assert.equal(answer.status, 200, `${typed}: ${JSON.stringify(answer.body)}`);
      assert.equal((await findPlayerByUsername(app.db, stored))?.username, stored);
      for (const form of [stored, stored.normalize("NFD"), stored.toUpperCase()]) {
        const session = await login({ username: form, password: PASSWORD });
        assert.equal(session.status, 200, `${form}: ${JSON.stringify(session.body)}`);
        assert.equal(session.body.username, stored);
      }
    }
  });

  await t.step("answers 409 for a look-alike in another script, or AL1CE for alice", async () => {
    assert.equal((await post(registration("alice"))).status, 200);
    for (const lookAlike of ["\u0430lice", "AL1CE", "ａｌｉｃｅ", "\u0430l\u0456ce"]) {
      const answer = await post(registration(lookAlike, { email: `${uniqueName()}@example.org` }));
      assert.equal(answer.status, 409, lookAlike);
      assert.equal(answer.body.message, "That username is already taken", lookAlike);
    }
    assert.equal((await post(registration("b\u03bfb"))).status, 200);
    assert.equal(
      (await post(registration("bob", { email: `${uniqueName()}@example.org` }))).status,
      409,
    );
  });

  await t.step("answers 415 to a body not declared as JSON, and creates no account", async () => {
    const cases: [string, Record<string, string>][] = [
      ["text/plain", { "content-type": "text/plain" }],
      ["form", { "content-type": "application/x-www-form-urlencoded" }],
      ["none", {}],
    ];
    for (const [what, headers] of cases) {
      const body = registration();
      // Bytes, unlike a string, leave Content-Type unset unless given.
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      const response = await app.request(path, { method: "POST", headers, body: bytes });
      assert.equal(response.status, 415, what);
      assert.match((await response.json()).message, /Content-Type must be application\/json/);
      assert.equal(await findPlayerByUsername(app.db, body.username), undefined, what);
    }
  });

  await t.step("takes application/json with a charset", async () => {
    const answer = await send({
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(registration()),
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });

  await t.step("answers 409 for an email taken in another case", async () => {
    const first = registration();
    assert.equal((await post(first)).status, 200);
    const again = await post(registration(undefined, { email: first.email.toUpperCase() }));
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.match(again.body.message as string, /email/);
  });

  await t.step("lets exactly one of two racing registrations of one name win", async () => {
    const name = uniqueName("race");
    const answers = await Promise.all([
      post(registration(name, { email: `one-${name}@example.com` })),
      post(registration(name.toUpperCase(), { email: `two-${name}@example.com` })),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
  });

  await t.step("answers on any case of the path", async () => {
    const answer = await postTo(app, "/api/Account/Register")(registration());
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });
});

withApp("POST /api/account/login", GENEROUS, async (t, app) => {
  const path = "/api/account/login";
  const send = sendTo(app, path);
  const post = postTo(app, path);
  const username = uniqueName("Login");
  const registered = await postTo(app, "/api/account/register")(registration(username));
  assert.equal(registered.status, 200);

  await t.step("answers 200 with a token that names the player", async () => {
    const before = Date.now();
    const answer = await post({ username, password: PASSWORD });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(Object.keys(answer.body).sort(), ["expiresAt", "token", "username"]);
    assert.equal(answer.body.username, username);
    const expiresAt = answer.body.expiresAt as number;
    assert.ok(expiresAt >= before + 30 * 60_000 - 1000 && expiresAt <= Date.now() + 30 * 60_000);
    const verified = await verifyToken(app.secret, answer.body.token as string);
    assert.equal(verified.username, username);
    assert.equal(verified.expiresAt, expiresAt);
  });

  await t.step("ignores the username's case and answers with the registered spelling", async () => {
    const answer = await postTo(app, "/API/ACCOUNT/LOGIN")({
      username: username.toLowerCase(),
      password: PASSWORD,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.username, username);
  });

  await t.step("answers 401 alike for a wrong password and an unknown user", async () => {
    const wrong = await post({ username, password: PASSWORD + "x" });
    const unknown = await post({ username: uniqueName("ghost"), password: PASSWORD });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(typeof wrong.body.message, "string");
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal("token" in wrong.body, false);
  });

  await t.step("answers 400 for a malformed login", async () => {
    const bodies = ["", "nope", "[]", "7", JSON.stringify({ username }), '{"password":"x"}'];
    for (const raw of bodies) {
      assertBadRequest(await send({ method: "POST", body: raw }), /./, raw);
    }
    assertBadRequest(
      await post({ username, password: 12345678 }),
      /password must be a string/,
      "number password",
    );
  });

  await t.step("answers 415 to a login not declared as JSON", async () => {
    const body = JSON.stringify({ username, password: PASSWORD });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
      const answer = await send({ method: "POST", headers: { "content-type": type }, body });
      assert.equal(answer.status, 415, type);
      assert.equal(typeof answer.body.message, "string");
    }
  });
});

withApp("login attempts and registrations are limited", {
  loginAttempts: 2,
  registrationsPerHour: 1,
}, async (t, app) => {
  const register = postTo(app, "/api/account/register");
  const login = postTo(app, "/api/account/login");
  const username = uniqueName("limited");

  await t.step("a second registration from one address within the hour gets 429", async () => {
    assert.equal((await register(registration(username))).status, 200);
    const second = await register(registration());
    assert.equal(second.status, 429);
    assert.equal(typeof second.body.message, "string");
    assert.match(second.headers.get("retry-after") ?? "", /^\d+$/);
  });

  await t.step("failed logins past the limit get 429, even with the right password", async () => {
    for (let i = 0; i < 2; i++) {
      assert.equal((await login({ username, password: "wrong password" })).status, 401);
    }
    const blocked = await login({ username: username.toUpperCase(), password: PASSWORD });
    assert.equal(blocked.status, 429);
    assert.equal(typeof blocked.body.message, "string");
    assert.match(blocked.headers.get("retry-after") ?? "", /^\d+$/);
  });
});

withApp("the rest of the HTTP surface", {}, async (t, app) => {
  await t.step("an unknown /api/ path answers 404 JSON with a message", async () => {
    for (const [method, path] of [["GET", "/api/nope"], ["POST", "/api/account/nope"]]) {
      const answer = await sendTo(app, path)({ method });
      assert.equal(answer.status, 404);
      assert.equal(typeof answer.body.message, "string");
    }
  });

  await t.step("GET / serves the web client as HTML", async () => {
    const response = await app.request("/");
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(text, /<!doctype html>/i);
  });
});

Deno.test("accountRoutes() hashes at OWASP's cost unless given hashParameters", async () => {
  // One real hash: the cheap cost the other tests use must not become the default.
  for (const [given, expected] of [[undefined, OWASP], [CHEAP_HASH, CHEAP_HASH]] as const) {
    const app = await memoryApp({ accounts: { hashParameters: given } });
    try {
      const body = registration();
      assert.equal((await postTo(app, "/api/account/register")(body)).status, 200);
      const player = await findPlayerByUsername(app.db, body.username);
      const cost = `m=${expected.memory},t=${expected.passes},p=${expected.parallelism}`;
      assert.match(player?.password_hash ?? "", new RegExp(`^\\$argon2id\\$v=19\\$${cost}\\$`));
      const login = await postTo(app, "/api/account/login")({
        username: body.username,
        password: PASSWORD,
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
    } finally {
      await app.close();
    }
  }
});

Deno.test("the account routes on the real server: hash cost, stored secret, oversized bodies", async (t) => {
  const server = await startTestServer({
    env: { REGISTRATIONS_PER_HOUR: "1000", LOGIN_ATTEMPTS: "1000" },
    hashParameters: CHEAP_HASH,
  });
  const send = (path: string) => sendWith((init) => fetch(server.url + path, init));
  const post = (path: string, body: unknown) =>
    send(path)({ method: "POST", body: JSON.stringify(body) });
  try {
    const body = registration();

    await t.step("a registration is hashed at the cost startServer() was given", async () => {
      const answer = await post("api/Account/Register", body);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const player = await findPlayerByUsername(server.server.db, body.username);
      assert.match(player?.password_hash ?? "", /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    });

    await t.step("a login's token is signed with the secret kept in the database", async () => {
      const answer = await post("api/account/login", {
        username: body.username,
        password: PASSWORD,
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const secret = await getSetting(server.server.db, "jwt_secret");
      assert.ok(secret, "a generated secret is kept in the database");
      const verified = await verifyToken(secret, answer.body.token as string);
      assert.equal(verified.username, body.username);
    });

    await t.step("answers 400, never 500, for a body over 16 KiB", async () => {
      const register = send("api/account/register");
      const big = JSON.stringify(registration(undefined, { padding: "x".repeat(16 * 1024) }));
      assertBadRequest(await register({ method: "POST", body: big }), /too large/, "declared");
      // Without Content-Length: the size is counted as the body streams in.
      const chunk = new TextEncoder().encode(big.slice(0, 4096));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      assertBadRequest(await register({ method: "POST", body: stream }), /too large/, "streamed");
    });

    await t.step("GET / serves the web client as HTML", async () => {
      const response = await fetch(server.url);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(await response.text(), /<!doctype html>/i);
    });
  } finally {
    await server.stop();
  }
});
