/**
 * The official `@microsoft/signalr` client, set to reconnect by itself at
 * once, against a player's sixth connection: the oldest is closed and stays
 * closed, in JSON and MessagePack, over each transport. A client that
 * reconnected would close the next oldest, whose client would reconnect in
 * turn: the loop of connections the close record's `allowReconnect: false`
 * prevents.
 */

import assert from "node:assert/strict";
import { HubConnectionState } from "@microsoft/signalr";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { connectClient, type TestClient } from "../support/hub_client.ts";
import { CLIENT_COMBINATIONS } from "../support/client_combinations.ts";

/** Reconnect at once, and again, as a client eager to stay connected would. */
const AT_ONCE = [0, 0, 0, 0] as const;

for (const combination of CLIENT_COMBINATIONS) {
  Deno.test(`official client: the connection closed for the cap does not reconnect (${combination.name})`, async () => {
    const server = await startTestServer({ roundSeconds: 30, hashParameters: CHEAP_HASH });
    const tabs: TestClient[] = [];
    try {
      const player = await registerAndLogin(server.url);
      const options = { ...combination, automaticReconnect: AT_ONCE };
      for (let i = 0; i < 5; i++) tabs.push(await connectClient(server.url, player.token, options));
      const oldest = tabs[0].connection;
      let reconnecting = 0;
      oldest.onreconnecting(() => reconnecting++);
      const closed = new Promise<Error | undefined>((resolve) => oldest.onclose(resolve));
      // One more than a player may hold.
      tabs.push(await connectClient(server.url, player.token, options));
      // onclose is the end: a client about to reconnect calls onreconnecting instead.
      assert.match(String((await closed)?.message), /Too many connections: at most 5 per player/);
      assert.equal(reconnecting, 0);
      assert.equal(oldest.state, HubConnectionState.Disconnected);
      for (const tab of tabs.slice(1)) {
        assert.equal(tab.connection.state, HubConnectionState.Connected);
      }
      const health = await (await fetch(server.url + "healthz")).json();
      assert.deepEqual(health.online, { players: 1, connections: 5 });
    } finally {
      await Promise.all(tabs.map((tab) => tab.stop()));
      await server.stop();
    }
  });
}
