/**
 * The sign-in cookie against the real server: login sets it, the API, negotiate
 * and the hub accept it (from the server's own pages and `CORS_ORIGINS` only),
 * a token in a header or the query wins over it, logout clears it, and CORS
 * lets only the configured origins send it.
 */

import assert from "node:assert/strict";
import { CHEAP_HASH, startTestServer, type TestServer } from "../support/test_server.ts";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { upgradeRequest, writeAll } from "../abuse/raw_socket.ts";
import { SESSION_COOKIE } from "../../src/http/session_cookie.ts";

const ALLOWED = "https://friend.example";

async function withServer(
  fn: (server: TestServer, player: TestPlayer) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const server = await startTestServer({
    hashParameters: CHEAP_HASH,
    env: { CORS_ORIGINS: ALLOWED, ...env },
  });
  try {
    await fn(server, await registerAndLogin(server.url));
  } finally {
    await server.stop();
  }
}

/** Logs in and returns the `Set-Cookie` header the server answered with. */
async function login(
  server: TestServer,
  player: TestPlayer,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(server.url + "api/account/login", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username: player.username, password: player.password }),
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(typeof body.token, "string", "the token is still in the body");
  return response.headers.get("set-cookie") ?? "";
}

/** `Cookie` header value holding `token`. */
const cookie = (token: string) => `${SESSION_COOKIE}=${token}`;

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
}

/** The status of a WebSocket upgrade of `/game` with only `headers` to sign in. */
async function upgradeStatus(server: TestServer, headers: Record<string, string>): Promise<number> {
  const url = new URL("game", server.url);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  try {
    await writeAll(conn, new TextEncoder().encode(upgradeRequest(url, headers)));
    const chunk = new Uint8Array(1024);
    const n = await conn.read(chunk);
    const head = new TextDecoder().decode(chunk.subarray(0, n ?? 0));
    return Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

Deno.test("login sets an HttpOnly, SameSite=Lax cookie holding the session token", async () => {
  await withServer(async (server, player) => {
    const header = await login(server, player);
    assert.match(header, new RegExp(`^${SESSION_COOKIE}=[\\w.-]+; Path=/; Expires=`));
    assert.match(header, /; HttpOnly/);
    assert.match(header, /; SameSite=Lax/);
    assert.doesNotMatch(header, /Secure/, "plain HTTP, no proxy trusted");
    const spoofed = await login(server, player, { "x-forwarded-proto": "https" });
    assert.doesNotMatch(spoofed, /Secure/, "X-Forwarded-Proto counts only with TRUST_PROXY");
  });
});

Deno.test("the cookie is Secure behind a trusted HTTPS proxy, or always with COOKIE_SECURE", async () => {
  await withServer(async (server, player) => {
    assert.match(await login(server, player, { "x-forwarded-proto": "https" }), /; Secure/);
    assert.doesNotMatch(await login(server, player, { "x-forwarded-proto": "http" }), /Secure/);
  }, { TRUST_PROXY: "1" });
  await withServer(async (server, player) => {
    assert.match(await login(server, player), /; Secure/);
  }, { COOKIE_SECURE: "1" });
});

Deno.test("GET /api/account/session answers who the cookie signs in, or 401", async () => {
  await withServer(async (server, player) => {
    const url = server.url + "api/account/session";
    const response = await fetch(url, { headers: { cookie: cookie(player.token) } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = await response.json();
    assert.equal(body.username, player.username);
    assert.ok(body.expiresAt > Date.now());
    assert.deepEqual(Object.keys(body).sort(), ["expiresAt", "username"], "never the token");
    assert.equal(await status(url), 401);
    assert.equal(await status(url, { headers: { cookie: cookie("a.b.c") } }), 401);
    assert.equal(await status(url, { headers: { authorization: `Bearer ${player.token}` } }), 200);
    // A header that is present wins, even when wrong.
    const both = { cookie: cookie(player.token), authorization: "Bearer a.b.c" };
    assert.equal(await status(url, { headers: both }), 401);
  });
});

Deno.test("the cookie counts only from the server's own pages and CORS_ORIGINS", async () => {
  await withServer(async (server, player) => {
    const url = server.url + "api/account/session";
    const own = new URL(server.url).origin;
    const withCookie = (headers: Record<string, string>) =>
      status(url, { headers: { cookie: cookie(player.token), ...headers } });
    assert.equal(await withCookie({ origin: own }), 200);
    assert.equal(await withCookie({ origin: ALLOWED }), 200);
    assert.equal(await withCookie({ origin: "https://evil.example" }), 403);
    assert.equal(await withCookie({ "sec-fetch-site": "cross-site" }), 403);
    assert.equal(await withCookie({ "sec-fetch-site": "same-origin" }), 200);
    // A bearer token is not something another site's page can send by itself.
    const bearer = { authorization: `Bearer ${player.token}`, origin: "https://evil.example" };
    assert.equal(await status(url, { headers: bearer }), 200);
  });
});

Deno.test("negotiate and the hub take the cookie alone; a bad access_token wins over it", async () => {
  await withServer(async (server, player) => {
    const negotiate = server.url + "game/negotiate?negotiateVersion=1";
    assert.equal(
      await status(negotiate, { method: "POST", headers: { cookie: cookie(player.token) } }),
      200,
    );
    assert.equal(
      await status(negotiate + "&access_token=nope", {
        method: "POST",
        headers: { cookie: cookie(player.token) },
      }),
      401,
    );
    assert.equal(await upgradeStatus(server, { Cookie: cookie(player.token) }), 101);
    assert.equal(await upgradeStatus(server, {}), 401);
    const evil = { Cookie: cookie(player.token), Origin: "https://evil.example" };
    assert.equal(await upgradeStatus(server, evil), 403);
  });
});

Deno.test("GET and POST /api/account/logout clear the cookie", async () => {
  await withServer(async (server) => {
    for (const method of ["GET", "POST"]) {
      const response = await fetch(server.url + "api/account/logout", { method });
      assert.equal(response.status, 200, method);
      assert.equal(typeof (await response.json()).message, "string");
      const header = response.headers.get("set-cookie") ?? "";
      assert.match(header, new RegExp(`^${SESSION_COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970`));
      assert.match(header, /Max-Age=0/);
      assert.match(header, /HttpOnly/);
    }
    const foreign = { origin: "https://evil.example" };
    assert.equal(
      await status(server.url + "api/account/logout", { method: "POST", headers: foreign }),
      403,
    );
  });
});

Deno.test("CORS names only CORS_ORIGINS, with credentials, never *", async () => {
  await withServer(async (server) => {
    for (const path of ["api/account/session", "game/negotiate", "game"]) {
      const preflight = (origin: string) =>
        fetch(server.url + path, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, x-signalr-user-agent",
          },
        });
      const allowed = await preflight(ALLOWED);
      assert.equal(allowed.status, 204, path);
      assert.equal(allowed.headers.get("access-control-allow-origin"), ALLOWED, path);
      assert.equal(allowed.headers.get("access-control-allow-credentials"), "true", path);
      assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /authorization/);
      const refused = await preflight("https://evil.example");
      assert.equal(refused.headers.get("access-control-allow-origin"), null, path);
      assert.equal(refused.headers.get("access-control-allow-credentials"), null, path);
    }
    const response = await fetch(server.url + "api/leaderboard", { headers: { origin: ALLOWED } });
    await response.body?.cancel();
    assert.equal(response.headers.get("access-control-allow-origin"), ALLOWED);
    assert.equal(response.headers.get("access-control-allow-credentials"), "true");
    const other = await fetch(server.url + "api/leaderboard", {
      headers: { origin: "https://evil.example" },
    });
    await other.body?.cancel();
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});
