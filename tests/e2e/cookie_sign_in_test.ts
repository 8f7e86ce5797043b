/**
 * Cookie sign-in in Chromium: a script in a page of the server's origin logs
 * in with `fetch` and never reads the token, then the official client's
 * browser bundle connects to `/game` over each transport with nothing but
 * the sign-in cookie, plays, and logs out, after which the hub refuses it.
 */

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, OPTIONS } from "./browser_support.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { SESSION_COOKIE } from "../../src/http/session_cookie.ts";

/** The official client's browser bundles, from the package the tests already use. */
async function bundles(): Promise<string> {
  const require = createRequire(import.meta.url);
  const dist = (name: string) => join(dirname(require.resolve(name)), "..", "browser");
  return [
    await Deno.readTextFile(join(dist("@microsoft/signalr"), "signalr.min.js")),
    await Deno.readTextFile(
      join(dist("@microsoft/signalr-protocol-msgpack"), "signalr-protocol-msgpack.min.js"),
    ),
  ].join("\n");
}

/** What the page does, run inside it: everything signed in by the cookie alone. */
async function playWithCookieOnly(credentials: { username: string; password: string }) {
  // deno-lint-ignore no-explicit-any -- the bundle's global, in the page
  const signalR = (globalThis as any).signalR;
  const login = await fetch("/api/account/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  });
  // The answer holds the token too; this page never reads it.
  await login.body?.cancel();
  const session = await (await fetch("/api/account/session")).json();
  const played: Record<string, unknown> = {};
  const { WebSockets, ServerSentEvents, LongPolling } = signalR.HttpTransportType;
  const ways = [
    ["WebSockets", WebSockets, false],
    ["ServerSentEvents", ServerSentEvents, false],
    ["LongPolling", LongPolling, false],
    ["LongPolling+MessagePack", LongPolling, true],
    ["WebSockets+MessagePack", WebSockets, true],
  ] as const;
  for (const [name, transport, packed] of ways) {
    const builder = new signalR.HubConnectionBuilder().withUrl("/game", { transport });
    if (packed) builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    const connection = builder.configureLogging(signalR.LogLevel.None).build();
    const info = new Promise((resolve) => connection.on("GameInfo", resolve));
    connection.on("PlayerCount", () => {});
    await connection.start();
    const gameInfo = (await info) as { roundDurationMs: number };
    const result = await connection.invoke("Increment");
    await connection.stop();
    played[name] = { roundDurationMs: gameInfo.roundDurationMs, counted: result.counted };
  }
  const logout = await fetch("/api/account/logout", { method: "POST" });
  const afterLogout = (await fetch("/api/account/session")).status;
  let refused = "";
  try {
    await new signalR.HubConnectionBuilder().withUrl("/game")
      .configureLogging(signalR.LogLevel.None).build().start();
  } catch (error) {
    refused = String(error);
  }
  return {
    session,
    played,
    logout: { status: logout.status, body: await logout.json() },
    afterLogout,
    refused,
    // deno-lint-ignore no-explicit-any -- the page's document, absent from the server's typings
    documentCookie: String((globalThis as any).document.cookie),
  };
}

Deno.test({
  name: "browser: the sign-in cookie alone opens the hub over every transport; logout ends it",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 30, hashParameters: CHEAP_HASH });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    try {
      const player = await registerAndLogin(server.url);
      const context = await browser.newContext();
      const page = await context.newPage();
      const sent: string[] = [];
      page.on("request", (request) => {
        const auth = request.headers()["authorization"];
        if (auth !== undefined || request.url().includes("access_token")) sent.push(request.url());
      });
      page.on("websocket", (socket) => {
        if (socket.url().includes("access_token")) sent.push(socket.url());
      });
      // Any page of the server will do: the test's script runs in its origin.
      await page.goto(server.url + "api/leaderboard");
      await page.evaluate(await bundles());
      const outcome = await page.evaluate(playWithCookieOnly, {
        username: player.username,
        password: player.password,
      });

      assert.equal(outcome.session.username, player.username);
      for (const name of Object.keys(outcome.played)) {
        assert.deepEqual(outcome.played[name], { roundDurationMs: 30_000, counted: true }, name);
      }
      assert.equal(Object.keys(outcome.played).length, 5);
      assert.deepEqual(outcome.logout, { status: 200, body: { message: "Logged out" } });
      assert.equal(outcome.afterLogout, 401);
      assert.match(outcome.refused, /401|Unauthorized/);
      assert.equal(outcome.documentCookie.includes(SESSION_COOKIE), false, "HttpOnly");
      assert.deepEqual(sent, [], "no request carried a token");
      const cookies = await context.cookies(server.url);
      assert.equal(cookies.find((c) => c.name === SESSION_COOKIE), undefined, "logged out");
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});
