/**
 * Accounts under attack, against the real server: login lock-out per
 * username and per address, the registration cap, whose address counts,
 * connections per player, and the WebSocket origin check.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startTestServer } from "../support/test_server.ts";
import { postJson, registerAndLogin, uniqueName } from "../support/accounts.ts";
import { openHub } from "./hub_socket.ts";
import { openRawSocket } from "./raw_socket.ts";

const PASSWORD = "correct horse battery";

function register(url: string, username: string, headers: Record<string, string> = {}) {
  return postJson(url + "api/account/register", {
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  }, headers);
}

function login(url: string, username: string, password: string, address?: string) {
  const headers: Record<string, string> = address ? { "x-forwarded-for": address } : {};
  return postJson(url + "api/account/login", { username, password }, headers);
}

function assertRetryAfter(response: { status: number; headers: Headers }, maxSeconds: number) {
  assert.equal(response.status, 429);
  const seconds = Number(response.headers.get("retry-after"));
  assert.ok(Number.isInteger(seconds) && seconds > 0 && seconds <= maxSeconds, `${seconds}`);
}

Deno.test("login lock-out: per username and address after LOGIN_ATTEMPTS, per address at 4×", async () => {
  const server = await startTestServer({ env: { LOGIN_ATTEMPTS: "2", TRUST_PROXY: "1" } });
  try {
    const url = server.url;
    const alice = uniqueName("alice");
    const bob = uniqueName("bob");
    assert.equal((await register(url, alice, { "x-forwarded-for": "10.0.0.1" })).status, 200);
    assert.equal((await register(url, bob, { "x-forwarded-for": "10.0.0.1" })).status, 200);

    // Two failures lock the username for that address, even for the right password...
    assert.equal((await login(url, alice, "wrong password 1", "10.0.0.2")).status, 401);
    assert.equal((await login(url, alice, "wrong password 2", "10.0.0.2")).status, 401);
    const locked = await login(url, alice, PASSWORD, "10.0.0.2");
    assertRetryAfter(locked, 15 * 60);
    assert.match(String(locked.body.message), /Too many failed logins/);
    // ...but never its owner elsewhere: the username alone is only slowed down.
    assert.equal((await login(url, alice, PASSWORD, "10.0.0.3")).status, 200);
    // Another username from the same address is not locked.
    assert.equal((await login(url, bob, PASSWORD, "10.0.0.2")).status, 200);

    // One address gets 4 × 2 = 8 failures across usernames, then every login is refused.
    for (let i = 0; i < 8; i++) {
      assert.equal((await login(url, uniqueName("ghost"), "whatever", "10.0.0.4")).status, 401);
    }
    assertRetryAfter(await login(url, bob, PASSWORD, "10.0.0.4"), 15 * 60);
    // Other addresses, and the username itself, are unaffected.
    assert.equal((await login(url, bob, PASSWORD, "10.0.0.5")).status, 200);
  } finally {
    await server.stop();
  }
});

Deno.test("login lock-out: X-Forwarded-For is ignored without TRUST_PROXY", async () => {
  const server = await startTestServer({ env: { LOGIN_ATTEMPTS: "1" } });
  try {
    const url = server.url;
    // 4 failures from the socket's address, each claiming another address.
    for (let i = 0; i < 4; i++) {
      const response = await login(url, uniqueName("ghost"), "whatever", `10.9.0.${i}`);
      assert.equal(response.status, 401);
    }
    assertRetryAfter(await login(url, uniqueName("ghost"), "whatever", "10.9.9.9"), 15 * 60);
  } finally {
    await server.stop();
  }
});

Deno.test("registrations: at most REGISTRATIONS_PER_HOUR attempts per address", async () => {
  const server = await startTestServer({ env: { REGISTRATIONS_PER_HOUR: "3" } });
  const proxied = await startTestServer({
    env: { REGISTRATIONS_PER_HOUR: "3", TRUST_PROXY: "1" },
  });
  try {
    const url = server.url;
    const first = uniqueName("r");
    assert.equal((await register(url, first)).status, 200);
    // Registrations refused before any hash don't count.
    assert.equal((await register(url, first)).status, 409);
    const weak = await postJson(url + "api/account/register", {
      username: uniqueName("r"),
      email: "nobody@example.com",
      password: "x",
      passwordConfirm: "x",
    });
    assert.equal(weak.status, 400);
    assert.equal((await register(url, uniqueName("r"))).status, 200);
    assert.equal((await register(url, uniqueName("r"))).status, 200);
    const capped = await register(url, uniqueName("r"));
    assertRetryAfter(capped, 60 * 60);
    assert.match(String(capped.body.message), /Too many registrations/);
    // Claiming another address changes nothing without TRUST_PROXY.
    assertRetryAfter(
      await register(url, uniqueName("r"), { "x-forwarded-for": "203.0.113.7" }),
      60 * 60,
    );

    // Behind a trusted proxy, the address the proxy appended counts.
    for (let i = 0; i < 3; i++) {
      const response = await register(proxied.url, uniqueName("r"), {
        "x-forwarded-for": "198.51.100.1, 10.1.0.1",
      });
      assert.equal(response.status, 200);
    }
    assertRetryAfter(
      await register(proxied.url, uniqueName("r"), { "x-forwarded-for": "10.1.0.1" }),
      60 * 60,
    );
    // A client forging an earlier entry is still the proxy's last one.
    assertRetryAfter(
      await register(proxied.url, uniqueName("r"), { "x-forwarded-for": "1.2.3.4, 10.1.0.1" }),
      60 * 60,
    );
    const other = await register(proxied.url, uniqueName("r"), { "x-forwarded-for": "10.1.0.2" });
    assert.equal(other.status, 200);
  } finally {
    await server.stop();
    await proxied.stop();
  }
});

Deno.test("connections: a player's sixth connection closes the oldest, with a reason", async () => {
  const server = await startTestServer({ roundSeconds: 30 });
  const sockets = [];
  try {
    const player = await registerAndLogin(server.url);
    const other = await registerAndLogin(server.url);
    const bystander = await openHub(server.url, other.token);
    sockets.push(bystander);
    for (let i = 0; i < 6; i++) sockets.push(await openHub(server.url, player.token));
    const oldest = sockets[1];
    const close = await oldest.waitFor((r) => r.type === 7, { from: 0 });
    assert.match(String(close.error), /Too many connections: at most 5 per player/);
    await oldest.closed;
    for (const socket of sockets.slice(2)) {
      assert.equal((await socket.invoke("Increment")).error, undefined);
    }
    assert.equal(bystander.ws.readyState, WebSocket.OPEN);
    const health = await (await fetch(server.url + "healthz")).json();
    assert.deepEqual(health.online, { players: 2, connections: 6 });
  } finally {
    for (const socket of sockets) await socket.close();
    await server.stop();
  }
});

Deno.test("origin: a WebSocket from a foreign page is refused before the upgrade", async () => {
  const allowed = "https://play.example.com";
  const server = await startTestServer({ env: { CORS_ORIGINS: allowed } });
  try {
    const { token } = await registerAndLogin(server.url);
    const own = new URL(server.url).origin;
    for (const origin of ["https://evil.example", "null", "http://127.0.0.1:1"]) {
      const refused = await openRawSocket(server.url, token, { Origin: origin });
      refused.close();
      assert.equal(refused.status, 403, `${origin}: ${refused.head}`);
    }
    for (const origin of [own, allowed]) {
      const accepted = await openRawSocket(server.url, token, { Origin: origin });
      accepted.close();
      assert.equal(accepted.status, 101, `${origin}: ${accepted.head}`);
    }
    const negotiate = await fetch(server.url + "game/negotiate?negotiateVersion=1", {
      method: "POST",
      headers: { origin: "https://evil.example", authorization: `Bearer ${token}` },
    });
    assert.equal(negotiate.status, 403);
    await negotiate.body?.cancel();
  } finally {
    await server.stop();
  }
});
