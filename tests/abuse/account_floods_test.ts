/**
 * Parallel floods of the account routes, against the real server: limits
 * hold however many requests arrive at once, the password-hash line stays
 * short, and an honest player gets through while a flood is in flight.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../support/test_server.ts";
import { postJson, uniqueName } from "../support/accounts.ts";

const PASSWORD = "correct horse battery";
// Bounds high enough that only the attempt limits refuse anything.
const ROOMY_LINE = { HASH_QUEUE: "1000", HASH_QUEUE_PER_ADDRESS: "1000" };

type Answer = Awaited<ReturnType<typeof postJson>>;

function register(url: string, username: string, address: string, email?: string) {
  return postJson(url + "api/account/register", {
    username,
    email: email ?? `${username}@example.com`,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  }, { "x-forwarded-for": address });
}

function login(url: string, username: string, password: string, address: string) {
  return postJson(url + "api/account/login", { username, password }, {
    "x-forwarded-for": address,
  });
}

/** How many answers had each status, e.g. `{401: 5, 429: 95}`. */
function countStatuses(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** Players stored by the server. */
async function playerCount(server: TestServer): Promise<number> {
  const row = await server.server.db.selectFrom("players").select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

Deno.test("parallel wrong logins for one name check at most LOGIN_ATTEMPTS passwords", async () => {
  const server = await startTestServer({
    env: { LOGIN_ATTEMPTS: "5", TRUST_PROXY: "1", ...ROOMY_LINE },
  });
  try {
    const url = server.url;
    const alice = uniqueName("alice");
    assert.equal((await register(url, alice, "10.0.0.1")).status, 200);

    const guesses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(url, alice, `guess number ${i}`, "10.0.0.2")),
    );
    assert.deepEqual(countStatuses(guesses), { 401: 5, 429: 95 });
    // That address is locked out of the name, even with the right password...
    assert.equal((await login(url, alice, PASSWORD, "10.0.0.2")).status, 429);
    // ...its owner elsewhere is not.
    assert.equal((await login(url, alice, PASSWORD, "10.0.0.3")).status, 200);

    // Across names, one address checks at most 4 × LOGIN_ATTEMPTS passwords.
    const spray = await Promise.all(
      Array.from({ length: 100 }, () => login(url, uniqueName("ghost"), "whatever", "10.0.0.4")),
    );
    assert.deepEqual(countStatuses(spray), { 401: 20, 429: 80 });
  } finally {
    await server.stop();
  }
});

Deno.test("a username under attack from many addresses still lets its owner in", async () => {
  const server = await startTestServer({
    env: { LOGIN_ATTEMPTS: "2", TRUST_PROXY: "1", ...ROOMY_LINE },
  });
  try {
    const url = server.url;
    const alice = uniqueName("alice");
    assert.equal((await register(url, alice, "10.0.0.1")).status, 200);
    const attack = await Promise.all(
      Array.from({ length: 3 }, (_, i) => login(url, alice, "wrong password", `10.2.0.${i}`)),
    );
    assert.deepEqual(countStatuses(attack), { 401: 3 });
    const owner = await login(url, alice, PASSWORD, "10.3.0.1");
    assert.equal(owner.status, 200, JSON.stringify(owner.body));
    assert.equal(owner.body.username, alice);
  } finally {
    await server.stop();
  }
});

Deno.test("parallel registrations from one address create at most REGISTRATIONS_PER_HOUR", async () => {
  const server = await startTestServer({
    env: { REGISTRATIONS_PER_HOUR: "5", TRUST_PROXY: "1", ...ROOMY_LINE },
  });
  try {
    const url = server.url;
    const flood = await Promise.all(
      Array.from({ length: 200 }, () => register(url, uniqueName("r"), "10.0.0.9")),
    );
    assert.deepEqual(countStatuses(flood), { 200: 5, 429: 195 });
    assert.equal(await playerCount(server), 5);
    for (const answer of flood.filter((a) => a.status === 429)) {
      assert.match(answer.headers.get("retry-after") ?? "", /^\d+$/);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("registrations of a taken name cost no hash and no registration", async () => {
  const server = await startTestServer({ env: { REGISTRATIONS_PER_HOUR: "2", TRUST_PROXY: "1" } });
  try {
    const url = server.url;
    const alice = uniqueName("alice");
    assert.equal((await register(url, alice, "10.0.0.1")).status, 200);
    const honest = uniqueName("honest");
    assert.equal((await register(url, honest, "10.0.0.1")).status, 200);

    const flood = Array.from(
      { length: 300 },
      (_, i) => register(url, alice, "10.0.0.9", `flood${i}-${alice}@example.com`),
    );
    const owner = await login(url, honest, PASSWORD, "10.0.0.1");
    assert.equal(owner.status, 200, JSON.stringify(owner.body));
    const answers = await Promise.all(flood);
    assert.deepEqual(countStatuses(answers), { 409: 300 });
    // None of the 300 used one of the flooding address's registrations.
    assert.equal((await register(url, uniqueName("r"), "10.0.0.9")).status, 200);
    assert.equal((await register(url, uniqueName("r"), "10.0.0.9")).status, 200);
    assert.equal((await register(url, uniqueName("r"), "10.0.0.9")).status, 429);
  } finally {
    await server.stop();
  }
});

Deno.test("a flood from one address gets 503 at once; an honest login gets through", async () => {
  const server = await startTestServer({
    env: { REGISTRATIONS_PER_HOUR: "1000", TRUST_PROXY: "1" },
  });
  try {
    const url = server.url;
    const honest = uniqueName("honest");
    assert.equal((await register(url, honest, "10.0.0.1")).status, 200);

    let settled = 0;
    const firstRefusal = Promise.withResolvers<void>();
    const flood = Array.from({ length: 300 }, async () => {
      const answer = await register(url, uniqueName("r"), "10.0.0.9");
      settled++;
      if (answer.status === 503) firstRefusal.resolve();
      return answer;
    });
    // A refusal means the address's share of the line is full: the flood is in flight.
    await firstRefusal.promise;
    assert.ok(settled < flood.length, "the flood is still in flight");
    const owner = await login(url, honest, PASSWORD, "10.0.0.1");
    assert.equal(owner.status, 200, JSON.stringify(owner.body));

    const answers = await Promise.all(flood);
    const counts = countStatuses(answers);
    assert.deepEqual(Object.keys(counts).sort(), ["200", "503"]);
    assert.ok(counts[503] > 200, `most of the flood is refused: ${JSON.stringify(counts)}`);
    for (const answer of answers.filter((a) => a.status === 503)) {
      assert.equal(answer.headers.get("retry-after"), "1");
      assert.equal(typeof answer.body.message, "string");
    }
    assert.equal(await playerCount(server), 1 + counts[200]);
  } finally {
    await server.stop();
  }
});
