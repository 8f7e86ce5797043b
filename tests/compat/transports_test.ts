/**
 * The official `@microsoft/signalr` client, with the JSON and the
 * MessagePack protocol (`@microsoft/signalr-protocol-msgpack`), over each
 * transport that can carry them, with and without stateful reconnect: every
 * combination plays the same round against the real server, and the client
 * falls back by itself when WebSockets are refused.
 */

import assert from "node:assert/strict";
import { HttpTransportType } from "@microsoft/signalr";
import { CHEAP_HASH, startTestServer, type TestServer } from "../support/test_server.ts";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { connectClient, type ReceivedEndRound, type TestClient } from "../support/hub_client.ts";
import { startTcpProxy } from "../support/tcp_proxy.ts";
import { CLIENT_COMBINATIONS } from "../support/client_combinations.ts";

const ROUND_SECONDS = 3;

async function withServer(fn: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({
    roundSeconds: ROUND_SECONDS,
    hashParameters: CHEAP_HASH,
    // 24 players log in at once from one address: more logins in flight than
    // the per-address limit lets be checked at a time (4 × LOGIN_ATTEMPTS).
    env: { LOGIN_ATTEMPTS: "10" },
  });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

/** The transport a started official client ended up with (the client keeps it to itself). */
function transportOf(client: TestClient): string {
  const http = (client.connection as unknown as { connection: { transport: object } }).connection;
  return http.transport.constructor.name;
}

interface Table {
  readonly name: string;
  readonly players: readonly TestPlayer[];
  readonly clients: readonly TestClient[];
}

Deno.test("official client: every protocol and transport plays a round, with a tie", async () => {
  await withServer(async (server) => {
    const tables: Table[] = await Promise.all(CLIENT_COMBINATIONS.map(async (options) => {
      const players = await Promise.all([1, 2, 3].map(() => registerAndLogin(server.url)));
      const clients = [];
      for (const player of players) {
        clients.push(await connectClient(server.url, player.token, options));
      }
      return { name: options.name, players, clients };
    }));
    try {
      for (const { name, clients } of tables) {
        assert.deepEqual(
          { ...clients[0].info, roundId: 0, roundEndsAt: 0, serverTime: 0, lastRound: null },
          {
            nbWins: 0,
            multiplierCost: 10,
            score: 0,
            multiplier: 1,
            roundId: 0,
            roundEndsAt: 0,
            roundDurationMs: ROUND_SECONDS * 1000,
            serverTime: 0,
            maxClicksPerSecond: 25,
            baseMultiplierCost: 10,
            lastRound: null,
          },
          name,
        );
      }
      // Every client waits for the end of the same round: the one after the next boundary.
      const { roundId } = await tables[0].clients[0].nextEndRound();
      const ends = tables.map(({ clients }) =>
        Promise.all(clients.map((c) => endOfRound(c, roundId + 1)))
      );
      await Promise.all(tables.map(async ({ name, clients: [ann, bob] }) => {
        let last;
        for (let i = 0; i < 12; i++) last = await ann.connection.invoke("Increment");
        assert.deepEqual(
          last,
          { score: 12, multiplier: 1, multiplierCost: 10, counted: true },
          name,
        );
        assert.deepEqual(await ann.connection.invoke("BuyMultiplier"), {
          score: 2,
          multiplier: 2,
          multiplierCost: 20,
          counted: true,
        }, name);
        assert.equal((await ann.connection.invoke("Increment")).score, 4, name);
        await assert.rejects(
          ann.connection.invoke("BuyMultiplier"),
          /Not enough points: the next multiplier costs 20, you have 4/,
          name,
        );
        for (let i = 1; i <= 4; i++) {
          assert.equal((await bob.connection.invoke("Increment")).score, i, name);
        }
      }));
      // Every table's ann and bob tied at 4; nobody scored more.
      const tied = winners(tables);
      for (const [i, table] of tables.entries()) {
        const received = await ends[i];
        for (const end of received) {
          assert.deepEqual([...end.winners].sort(), [...tied].sort(), table.name);
          assert.equal(end.nbClicks, 4, table.name);
          assert.equal(end.roundId, received[0].roundId, table.name);
        }
      }
    } finally {
      await Promise.all(tables.flatMap(({ clients }) => clients.map((c) => c.stop())));
    }
    const board = await (await fetch(server.url + "api/leaderboard?limit=100")).json();
    assert.equal(board.length, winners(tables).length);
  });
});

/** The `EndRound` of round `roundId` as `client` received it. */
async function endOfRound(client: TestClient, roundId: number): Promise<ReceivedEndRound> {
  for (;;) {
    const end = client.ended.find((e) => e.roundId === roundId);
    if (end !== undefined) return end;
    await client.nextEndRound();
  }
}

function winners(tables: readonly Table[]): string[] {
  return tables.flatMap(({ players: [ann, bob] }) => [ann.username, bob.username]);
}

Deno.test("official client: the chosen transport is the one asked for", async () => {
  await withServer(async (server) => {
    const player = await registerAndLogin(server.url);
    const expected: Partial<Record<HttpTransportType, string>> = {
      [HttpTransportType.WebSockets]: "WebSocketTransport",
      [HttpTransportType.ServerSentEvents]: "ServerSentEventsTransport",
      [HttpTransportType.LongPolling]: "LongPollingTransport",
    };
    for (const options of CLIENT_COMBINATIONS.slice(0, 5)) {
      const client = await connectClient(server.url, player.token, options);
      try {
        assert.equal(transportOf(client), expected[options.transport!], options.name);
      } finally {
        await client.stop();
      }
    }
  });
});

Deno.test("official client: falls back from refused WebSockets to SSE (JSON) or long polling", async () => {
  await withServer(async (server) => {
    const proxy = await startTcpProxy(server.url, { refuseWebSockets: true });
    try {
      const player = await registerAndLogin(server.url);
      const json = await connectClient(proxy.url, player.token);
      const packed = await connectClient(proxy.url, player.token, { protocol: "messagepack" });
      try {
        assert.equal(transportOf(json), "ServerSentEventsTransport");
        assert.equal(transportOf(packed), "LongPollingTransport");
        assert.equal((await json.connection.invoke("Increment")).counted, true);
        assert.equal((await packed.connection.invoke("Increment")).counted, true);
        const [a, b] = await Promise.all([json.nextEndRound(), packed.nextEndRound()]);
        assert.equal(a.roundId, b.roundId);
      } finally {
        await Promise.all([json.stop(), packed.stop()]);
      }
    } finally {
      await proxy.close();
    }
  });
});
