import assert from "node:assert/strict";
import { HubClient, HubConnectError, HubError } from "../../static/src/hub_client.ts";
import { CloseReason, type GameInfo, type ScoreUpdate } from "../../src/hub/wire.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";

function hubUrl(baseUrl: string, token: string): string {
  const url = new URL(`game?access_token=${encodeURIComponent(token)}`, baseUrl);
  url.protocol = "ws:";
  return url.href;
}

Deno.test("HubClient talks to the real hub: GameInfo, invoke, completion error, close", async () => {
  const server = await startTestServer({ hashParameters: CHEAP_HASH });
  try {
    const player = await registerAndLogin(server.url);
    const hub = new HubClient(hubUrl(server.url, player.token));
    const info = Promise.withResolvers<GameInfo>();
    hub.on("gameinfo", (value) => info.resolve(value as GameInfo));
    const closed = new Promise((resolve) => hub.onClose(resolve));
    await hub.start();
    assert.equal((await info.promise).score, 0, "targets match without case");

    const update = await hub.invoke<ScoreUpdate>("Increment");
    assert.deepEqual([update.score, update.multiplier, update.counted], [1, 1, true]);
    await assert.rejects(hub.invoke("BuyMultiplier"), HubError);
    hub.send("Increment");
    assert.equal((await hub.invoke<ScoreUpdate>("Increment")).score, 3, "send() counted too");

    hub.close();
    assert.deepEqual(await closed, { code: 1000, error: undefined });
    await assert.rejects(hub.invoke("Increment"), /not connected/);
  } finally {
    await server.stop();
  }
});

Deno.test("HubClient.start() rejects when the hub refuses the token", async () => {
  const server = await startTestServer({ hashParameters: CHEAP_HASH });
  try {
    const hub = new HubClient(hubUrl(server.url, "not.a.token"));
    await assert.rejects(hub.start(), HubConnectError);
  } finally {
    await server.stop();
  }
});

Deno.test("HubClient reports the reason code of the server's close record", async () => {
  const server = await startTestServer({ hashParameters: CHEAP_HASH });
  const hubs: HubClient[] = [];
  try {
    const player = await registerAndLogin(server.url);
    const oldest = new HubClient(hubUrl(server.url, player.token));
    const closed = new Promise((resolve) => oldest.onClose(resolve));
    await oldest.start();
    hubs.push(oldest);
    // One more than a player may hold: the server closes the oldest.
    for (let i = 0; i < 5; i++) {
      const hub = new HubClient(hubUrl(server.url, player.token));
      await hub.start();
      hubs.push(hub);
    }
    assert.deepEqual(await closed, {
      code: 1000,
      error: "Too many connections: at most 5 per player",
      reason: CloseReason.TooManyConnections,
    });
  } finally {
    for (const hub of hubs) hub.close();
    await server.stop();
  }
});
