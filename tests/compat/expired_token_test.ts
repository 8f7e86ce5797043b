/**
 * The official client over Server-Sent Events and long polling keeps
 * sending the token it started with on every poll and POST: its refresh on a
 * 401 never runs. A player whose session is renewed (as the page renews it)
 * must still play past that first token's expiry; a token of another player,
 * or one that isn't ours, still gets nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { ClientMethod, HubMethod, RECORD_SEPARATOR } from "../../src/hub/wire.ts";

/** Tokens live 3 s here; each case plays past that. */
const TTL_MINUTES = 0.05;
const TTL_MS = TTL_MINUTES * 60_000;

/** A fresh token of the player holding `token`, through `POST /api/account/renew`. */
async function renew(baseUrl: string, token: string): Promise<string> {
  const response = await fetch(new URL("api/account/renew", baseUrl), {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return String(body.token);
}

/** Renews `player`'s token every half TTL, as the page does, until the signal aborts. */
function keepRenewed(
  baseUrl: string,
  player: { token: string },
  signal: AbortSignal,
): Promise<void> {
  return (async () => {
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, TTL_MS / 3));
      if (!signal.aborted) player.token = await renew(baseUrl, player.token);
    }
  })();
}

const CASES = [
  { name: "Server-Sent Events, JSON", transport: signalR.HttpTransportType.ServerSentEvents },
  { name: "long polling, JSON", transport: signalR.HttpTransportType.LongPolling },
  {
    name: "long polling, MessagePack",
    transport: signalR.HttpTransportType.LongPolling,
    messagepack: true,
  },
];

Deno.test("official client: a renewed player plays on past the token it started with", async () => {
  const server = await startTestServer({
    hashParameters: CHEAP_HASH,
    env: { TOKEN_TTL_MINUTES: String(TTL_MINUTES) },
  });
  try {
    // The three at once, on one server: each waits out a token's life.
    await Promise.all(CASES.map((c) =>
      (async () => {
        const player = { ...(await registerAndLogin(server.url)) };
        const firstToken = player.token;
        const builder = new signalR.HubConnectionBuilder()
          .withUrl(server.url + "game", {
            accessTokenFactory: () => player.token,
            transport: c.transport,
            EventSource: globalThis.EventSource,
          } as signalR.IHttpConnectionOptions)
          .configureLogging(signalR.LogLevel.None);
        if (c.messagepack) builder.withHubProtocol(new MessagePackHubProtocol());
        const connection = builder.build();
        let closed: Error | undefined | null = null;
        connection.onclose((error) => closed = error);
        connection.on(ClientMethod.GameInfo, () => {});
        connection.on(ClientMethod.PlayerCount, () => {});
        const renewing = new AbortController();
        await connection.start();
        const renewal = keepRenewed(server.url, player, renewing.signal);
        try {
          await new Promise((resolve) => setTimeout(resolve, TTL_MS + 1500));
          assert.notEqual(player.token, firstToken, `${c.name}: renewed meanwhile`);
          const result = await connection.invoke(HubMethod.Increment);
          assert.equal(result.counted, true, c.name);
          assert.equal(closed, null, `${c.name}: the connection stayed open`);
        } finally {
          renewing.abort();
          await renewal;
          await connection.stop();
        }
      })()
    ));
  } finally {
    await server.stop();
  }
});

Deno.test("an expired token is taken for a live long-polling connection of its own player only", async () => {
  const server = await startTestServer({
    hashParameters: CHEAP_HASH,
    env: { TOKEN_TTL_MINUTES: String(TTL_MINUTES) },
  });
  const renewing = new AbortController();
  let renewal: Promise<void> | undefined;
  try {
    const owner: TestPlayer = await registerAndLogin(server.url);
    const other: TestPlayer = await registerAndLogin(server.url);
    const ownerFirst = owner.token;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const negotiated = await fetch(new URL("game/negotiate?negotiateVersion=1", server.url), {
      method: "POST",
      headers: bearer(owner.token),
    });
    const { connectionToken } = await negotiated.json();
    const at = new URL(`game?id=${encodeURIComponent(connectionToken)}`, server.url);
    const opened = await fetch(at, { headers: bearer(owner.token) });
    assert.equal(opened.status, 200);
    await opened.body?.cancel();
    const send = (token: string, record: string) =>
      fetch(at, { method: "POST", headers: bearer(token), body: record + RECORD_SEPARATOR });
    const handshake = await send(owner.token, JSON.stringify({ protocol: "json", version: 1 }));
    assert.equal(handshake.status, 200);
    await handshake.body?.cancel();
    const live = { token: owner.token };
    renewal = keepRenewed(server.url, live, renewing.signal);

    // Past both first tokens' expiry; the owner's session goes on by renewal.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 1500));
    const ping = JSON.stringify({ type: 6 });
    const ownExpired = await send(ownerFirst, ping);
    assert.equal(ownExpired.status, 200, "the owner's expired token on its live connection");
    await ownExpired.body?.cancel();
    const othersExpired = await send(other.token, ping);
    assert.equal(othersExpired.status, 401, "another player's expired token");
    assert.deepEqual(await othersExpired.json(), { message: "Token expired" });
    const forged = await send(ownerFirst.slice(0, -2) + "xx", ping);
    assert.equal(forged.status, 401, "a token that isn't ours");
    await forged.body?.cancel();
    // Nothing else opens with an expired token.
    const renegotiated = await fetch(new URL("game/negotiate?negotiateVersion=1", server.url), {
      method: "POST",
      headers: bearer(ownerFirst),
    });
    assert.equal(renegotiated.status, 401, "negotiate wants a token in force");
    await renegotiated.body?.cancel();
    const deleted = await fetch(at, { method: "DELETE", headers: bearer(ownerFirst) });
    assert.equal(deleted.status, 202, "the owner may still end its connection");
    await deleted.body?.cancel();
  } finally {
    renewing.abort();
    await renewal;
    await server.stop();
  }
});
