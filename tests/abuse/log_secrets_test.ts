/**
 * The whole log of a played game, at level debug in JSON, holds no secret:
 * the server (`main.ts` in a child process) sees a registration, a login,
 * the official client over WebSockets, Server-Sent Events and long polling,
 * clicks, a round's end and a logout, and then its output is searched for
 * the password, the token, the cookie and every connection token that
 * negotiate handed out. Every log line is one JSON object with the fields
 * an operator filters on.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { spawnServer } from "../support/spawn_server.ts";
import { postJson, uniqueName } from "../support/accounts.ts";

const TRANSPORTS = [
  signalR.HttpTransportType.WebSockets,
  signalR.HttpTransportType.ServerSentEvents,
  signalR.HttpTransportType.LongPolling,
];

/** Connection tokens from every negotiate answer this process reads. */
function watchNegotiate(): { tokens: string[]; restore(): void } {
  const tokens: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (url.includes("/negotiate")) {
      const body = await response.clone().json();
      if (typeof body.connectionToken === "string") tokens.push(body.connectionToken);
      if (typeof body.connectionId === "string") tokens.push(body.connectionId);
    }
    return response;
  };
  return { tokens, restore: () => globalThis.fetch = original };
}

Deno.test("logs: a played game logs no password, token, cookie or connection token, in JSON lines", async () => {
  const secret = "jwt-secret-".repeat(4);
  const server = await spawnServer({
    roundSeconds: 1,
    env: { LOG_LEVEL: "debug", LOG_FORMAT: "json", JWT_SECRET: secret },
  });
  const username = uniqueName("log");
  const password = `pw-${crypto.randomUUID()}`;
  const negotiated = watchNegotiate();
  let token = "";
  let cookie = "";
  try {
    const registered = await postJson(server.url + "api/account/register", {
      username,
      email: `${username}@example.com`,
      password,
      passwordConfirm: password,
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const login = await postJson(server.url + "api/account/login", { username, password });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    token = String(login.body.token);
    cookie = /clicker_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1] ?? "";
    assert.notEqual(cookie, "", "the login sets the sign-in cookie");

    const connections: signalR.HubConnection[] = [];
    const ended = Promise.withResolvers<void>();
    for (const transport of TRANSPORTS) {
      const connection = new signalR.HubConnectionBuilder()
        .withUrl(server.url + "game", { accessTokenFactory: () => token, transport })
        .configureLogging(signalR.LogLevel.None)
        .build();
      for (const method of ["GameInfo", "PlayerCount", "Standing", "Throttled"]) {
        connection.on(method, () => {});
      }
      connection.on("EndRound", () => ended.resolve());
      await connection.start();
      await connection.invoke("Increment");
      connections.push(connection);
    }
    await ended.promise;
    for (const connection of connections) await connection.stop();
    const logout = await fetch(server.url + "api/account/logout", {
      method: "POST",
      headers: { cookie: `clicker_session=${cookie}`, authorization: `Bearer ${token}` },
    });
    await logout.body?.cancel();
  } finally {
    negotiated.restore();
    assert.equal(await server.stop(), 0, server.output());
  }
  const output = server.output();
  assert.equal(negotiated.tokens.length >= 4, true, "negotiate answered the three transports");
  const secrets: [string, string][] = [
    ["password", password],
    ["token", token],
    ["token signature", token.split(".")[2]],
    ["cookie", cookie],
    ["token secret", secret],
    ...negotiated.tokens.map((t, i) => [`connection token ${i}`, t] as [string, string]),
  ];
  for (const [what, value] of secrets) {
    assert.ok(!output.includes(value), `the log shows the ${what}`);
  }
  assert.doesNotMatch(output, /authorization|bearer /i);

  const lines = output.split("\n").filter((line) => line !== "" && !line.startsWith("Listening"));
  const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const record of records) {
    for (const field of ["time", "level", "serverId", "category", "message"]) {
      assert.ok(field in record, `no ${field} in ${JSON.stringify(record)}`);
    }
    assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  const events = (message: string) => records.filter((r) => r.message === message);
  assert.equal(events("started").length, 1);
  assert.equal(events("started")[0].version, "1.0.0");
  const opened = events("connection opened");
  assert.deepEqual(
    opened.map((r) => r.transport).sort(),
    ["longPolling", "serverSentEvents", "webSockets"],
  );
  const closed = events("connection closed");
  assert.equal(closed.length, 3, JSON.stringify(closed));
  for (const record of closed) {
    assert.equal(record.player, username);
    assert.equal(typeof record.reason, "string");
    assert.equal(typeof record.durationMs, "number");
    assert.match(String(record.protocol), /^(json|messagepack)$/);
  }
  const rounds = events("round ended");
  assert.ok(rounds.length >= 1, "a round ended");
  assert.equal(typeof rounds[0].roundId, "number");
  assert.equal(typeof rounds[0].latenessMs, "number");
  const requests = events("request");
  assert.ok(requests.some((r) => String(r.path).startsWith("/game?id=[redacted]")));
  for (const record of requests) assert.equal(record.client, "127.0.0.1");
  assert.ok(events("stopped").length === 1);
});
