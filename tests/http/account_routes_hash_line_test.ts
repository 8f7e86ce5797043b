/**
 * The account routes' limits, called in memory with password functions that
 * wait for the test: which requests reach a hash, which are refused at once,
 * and what each costs the client's address.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openDatabase } from "../../src/db/open_database.ts";
import { accountRoutes, type PasswordHasher } from "../../src/http/account_routes.ts";
import { uniqueName } from "../support/accounts.ts";

const PASSWORD = "correct horse battery";

function registration(username = uniqueName(), overrides: Record<string, unknown> = {}) {
  return {
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
    ...overrides,
  };
}

/** Password functions whose work waits for `open()`, counting the calls. */
function gatedPasswords() {
  const gate = Promise.withResolvers<void>();
  let calls = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const called = () => {
    calls++;
    for (const waiter of waiters) if (calls >= waiter.count) waiter.resolve();
  };
  const passwords: PasswordHasher = {
    async hash(password) {
      called();
      await gate.promise;
      return `hash:${password}`;
    },
    async verify(password, stored) {
      called();
      await gate.promise;
      return stored === `hash:${password}`;
    },
    async verifyNothing() {
      called();
      await gate.promise;
      return false;
    },
  };
  return {
    passwords,
    get calls() {
      return calls;
    },
    /** Resolves once `count` hashes or checks have started. */
    started(count: number): Promise<void> {
      const waiter = { count, ...Promise.withResolvers<void>() };
      waiters.push(waiter);
      if (calls >= count) waiter.resolve();
      return waiter.promise;
    },
    open: () => gate.resolve(),
  };
}

/** The account routes on an in-memory database, called in memory from chosen addresses. */
async function routes(options: Partial<Parameters<typeof accountRoutes>[0]>) {
  const db = await openDatabase(":memory:");
  const app = accountRoutes({
    db,
    secret: "a secret of at least thirty-two bytes",
    tokenTtlMinutes: 30,
    loginAttempts: 5,
    registrationsPerHour: 30,
    trustProxy: false,
    ...options,
  });
  const call = async (path: string, body: unknown, address: string) => {
    const response = await app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }, { remoteAddr: { hostname: address } });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  return {
    register: (body: unknown, address: string) => call("/register", body, address),
    login: (body: unknown, address: string) => call("/login", body, address),
    close: () => db.destroy(),
  };
}

Deno.test("accountRoutes() counts a registration found taken only after its hash", async () => {
  const gated = gatedPasswords();
  const api = await routes({
    passwords: gated.passwords,
    registrationsPerHour: 2,
    hashConcurrency: 2,
  });
  try {
    const name = uniqueName("race");
    // Both pass the cheap check for a taken name: neither is stored while their hashes wait.
    const racing = [
      api.register(registration(name, { email: `one-${name}@example.com` }), "10.0.0.1"),
      api.register(registration(name, { email: `two-${name}@example.com` }), "10.0.0.1"),
    ];
    await gated.started(2);
    gated.open();
    assert.deepEqual((await Promise.all(racing)).map((a) => a.status).sort(), [200, 409]);
    // Both hashes were spent, so the address has used its two attempts.
    assert.equal((await api.register(registration(), "10.0.0.1")).status, 429);
    // A name found taken before hashing costs nothing.
    const other = await api.register(registration(name), "10.0.0.2");
    assert.equal(other.status, 409);
    assert.equal((await api.register(registration(), "10.0.0.2")).status, 200);
    assert.equal((await api.register(registration(), "10.0.0.2")).status, 200);
    assert.equal(gated.calls, 4);
  } finally {
    await api.close();
  }
});

Deno.test("accountRoutes() refuses at once what doesn't fit the hash line, and refunds it", async () => {
  const gated = gatedPasswords();
  const api = await routes({
    passwords: gated.passwords,
    registrationsPerHour: 3,
    hashConcurrency: 1,
    hashQueue: 3,
    hashQueuePerAddress: 2,
  });
  try {
    // One address: one hash running, one waiting; the rest are refused without waiting.
    const flood = Array.from({ length: 6 }, () => api.register(registration(), "10.0.0.9"));
    await gated.started(1);
    const refused = await Promise.all(flood.slice(2));
    for (const answer of refused) {
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get("retry-after"), "1");
      assert.equal(typeof answer.body.message, "string");
    }
    // Other addresses still get a place, until the line of 3 is full.
    const honest = [
      api.register(registration(), "10.0.0.1"),
      api.register(registration(), "10.0.0.2"),
    ];
    const full = await api.register(registration(), "10.0.0.3");
    assert.equal(full.status, 503);
    assert.equal(gated.calls, 1, "nothing else has started hashing");
    gated.open();
    for (const answer of await Promise.all([...flood.slice(0, 2), ...honest])) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    // The refused attempts were refunded: the flooding address has one of its 3 left.
    assert.equal((await api.register(registration(), "10.0.0.9")).status, 200);
    assert.equal((await api.register(registration(), "10.0.0.9")).status, 429);
  } finally {
    await api.close();
  }
});

Deno.test("accountRoutes() checks at most loginAttempts passwords of parallel logins", async () => {
  const gated = gatedPasswords();
  const api = await routes({ passwords: gated.passwords, loginAttempts: 3, hashQueue: 100 });
  try {
    gated.open();
    const name = uniqueName("victim");
    assert.equal((await api.register(registration(name), "10.0.0.1")).status, 200);
    const tries = Array.from(
      { length: 40 },
      (_, i) => api.login({ username: name, password: `guess ${i}` }, "10.0.0.2"),
    );
    const statuses = (await Promise.all(tries)).map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 401).length, 3);
    assert.equal(statuses.filter((s) => s === 429).length, 37);
    assert.equal(gated.calls, 1 + 3, "one hash at registration, then three checks");
  } finally {
    await api.close();
  }
});

Deno.test("accountRoutes() tells logins refused for others in flight to try again in a moment", async () => {
  // Hashes at once; checks wait for the test to let them through, one batch at a time.
  let gate = Promise.withResolvers<void>();
  let checking = 0;
  let checks = { ...Promise.withResolvers<void>(), want: Infinity };
  const passwords: PasswordHasher = {
    hash: (password) => Promise.resolve(`hash:${password}`),
    async verify(password, stored) {
      if (++checking >= checks.want) checks.resolve();
      await gate.promise;
      return stored === `hash:${password}`;
    },
    verifyNothing: () => Promise.resolve(false),
  };
  // An address may have 4 × 2 = 8 logins counted; all of them right ones here.
  const api = await routes({
    passwords,
    loginAttempts: 2,
    hashConcurrency: 8,
    hashQueue: 100,
    hashQueuePerAddress: 100,
  });
  try {
    const names = Array.from({ length: 9 }, () => uniqueName("pupil"));
    for (const [i, name] of names.entries()) {
      assert.equal((await api.register(registration(name), `10.1.0.${i}`)).status, 200);
    }
    checks = { ...Promise.withResolvers<void>(), want: 8 };
    const inFlight = names.slice(0, 8).map((name) =>
      api.login({ username: name, password: PASSWORD }, "10.2.0.1")
    );
    await checks.promise;
    const crowded = await api.login({ username: names[8], password: PASSWORD }, "10.2.0.1");
    assert.equal(crowded.status, 429);
    assert.equal(
      crowded.body.message,
      "Too many logins at once from this address; try again later",
    );
    assert.equal(crowded.headers.get("retry-after"), "1");

    gate.resolve();
    assert.deepEqual((await Promise.all(inFlight)).map((a) => a.status), Array(8).fill(200));
    assert.equal(
      (await api.login({ username: names[8], password: PASSWORD }, "10.2.0.1")).status,
      200,
    );

    // 7 failures and a check in flight fill the limit: the failures alone don't, so it's "at once".
    gate = Promise.withResolvers<void>();
    const failing = Array.from(
      { length: 7 },
      (_, i) => api.login({ username: names[i], password: `guess ${i}` }, "10.3.0.1"),
    );
    gate.resolve();
    assert.ok((await Promise.all(failing)).every((a) => a.status === 401));
    gate = Promise.withResolvers<void>();
    checking = 0;
    checks = { ...Promise.withResolvers<void>(), want: 1 };
    const eighth = api.login({ username: names[7], password: "guess 7" }, "10.3.0.1");
    await checks.promise;
    const waiting = await api.login({ username: names[8], password: PASSWORD }, "10.3.0.1");
    assert.equal(
      waiting.body.message,
      "Too many logins at once from this address; try again later",
    );
    // Once the eighth has failed too, failures fill it: the usual lock-out, for its window.
    gate.resolve();
    assert.equal((await eighth).status, 401);
    const locked = await api.login({ username: names[8], password: PASSWORD }, "10.3.0.1");
    assert.equal(locked.status, 429);
    assert.equal(locked.body.message, "Too many failed logins; try again later");
    assert.ok(Number(locked.headers.get("retry-after")) > 60);
  } finally {
    await api.close();
  }
});
