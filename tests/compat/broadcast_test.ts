/**
 * `EndRound` to more sockets than one batch of a broadcast holds, framed
 * once and written to each: every client, whatever its protocol and
 * transport, official client or bare WebSocket, with or without stateful
 * reconnect, receives each round's `EndRound` whole and once, the same
 * message for all.
 */

import assert from "node:assert/strict";
import { HttpTransportType } from "@microsoft/signalr";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { type ClientOptions, connectClient, type TestClient } from "../support/hub_client.ts";
import {
  ClientMethod,
  encodeRecord,
  type EndRound,
  JSON_HANDSHAKE,
  MessageType,
  splitRecords,
} from "../../src/hub/wire.ts";

/** Bare sockets: past the 500 connections a broadcast reaches before it lets other work in. */
const BARE_SOCKETS = 600;
const PER_PLAYER = 5;

const OFFICIAL: readonly ClientOptions[] = [
  { transport: HttpTransportType.WebSockets },
  { transport: HttpTransportType.WebSockets, statefulReconnect: true },
  { protocol: "messagepack", transport: HttpTransportType.WebSockets },
  { protocol: "messagepack", transport: HttpTransportType.WebSockets, statefulReconnect: true },
  // Two of each that share bytes: the second must get them whole after the first.
  { transport: HttpTransportType.ServerSentEvents },
  { transport: HttpTransportType.ServerSentEvents },
  { transport: HttpTransportType.LongPolling },
  { protocol: "messagepack", transport: HttpTransportType.LongPolling },
];

/** A bare WebSocket client of the JSON protocol that keeps every `EndRound` it receives. */
interface BareClient {
  readonly ended: EndRound[];
  readonly socket: WebSocket;
}

/** Opens a bare socket, does the handshake and resolves once `GameInfo` came. */
function openBare(baseUrl: string, token: string, changed: () => void): Promise<BareClient> {
  const url = new URL("game", baseUrl);
  url.protocol = "ws:";
  url.searchParams.set("access_token", token);
  const socket = new WebSocket(url);
  const ended: EndRound[] = [];
  const { promise, resolve, reject } = Promise.withResolvers<BareClient>();
  let rest = "";
  socket.onopen = () => socket.send(encodeRecord(JSON_HANDSHAKE));
  socket.onerror = () => reject(new Error("Cannot open a bare socket"));
  socket.onmessage = (event) => {
    const split = splitRecords(rest, String(event.data));
    rest = split.rest;
    for (const text of split.records) {
      const record = JSON.parse(text);
      if (record.type !== MessageType.Invocation) continue;
      if (record.target === ClientMethod.GameInfo) resolve({ ended, socket });
      if (record.target === ClientMethod.EndRound) {
        ended.push(record.arguments[0]);
        changed();
      }
    }
  };
  return promise;
}

Deno.test("EndRound to 600 bare sockets and every kind of official client arrives whole and once at each", async () => {
  const server = await startTestServer({
    roundSeconds: 1,
    hashParameters: CHEAP_HASH,
    env: {
      REGISTRATIONS_PER_HOUR: "1000",
      LOGIN_ATTEMPTS: "1000",
      HASH_QUEUE_PER_ADDRESS: "200",
      HASH_QUEUE: "200",
    },
  });
  const bare: BareClient[] = [];
  const official: TestClient[] = [];
  // Woken whenever any client receives an EndRound.
  let wake = () => {};
  const changed = () => wake();
  try {
    const players: TestPlayer[] = await Promise.all(
      Array.from(
        { length: BARE_SOCKETS / PER_PLAYER + OFFICIAL.length },
        () => registerAndLogin(server.url),
      ),
    );
    for (let i = 0; i < BARE_SOCKETS; i += 100) {
      bare.push(
        ...await Promise.all(
          Array.from(
            { length: 100 },
            (_, j) =>
              openBare(server.url, players[(i + j) % (BARE_SOCKETS / PER_PLAYER)].token, changed),
          ),
        ),
      );
    }
    for (const [i, options] of OFFICIAL.entries()) {
      const client = await connectClient(
        server.url,
        players[BARE_SOCKETS / PER_PLAYER + i].token,
        options,
      );
      client.connection.on(ClientMethod.EndRound, changed);
      official.push(client);
    }
    // Two whole rounds after everyone joined, and the next one to show nothing came late.
    const first = (await official[0].nextEndRound()).roundId + 1;
    const last = first + 2;
    const everyone = () => [...bare.map((c) => c.ended), ...official.map((c) => c.ended)];
    while (!everyone().every((ended) => ended.some((e) => e.roundId >= last))) {
      await new Promise<void>((resolve) => wake = resolve);
    }
    for (const roundId of [first, first + 1]) {
      const expected = official[0].ended.find((e) => e.roundId === roundId);
      assert.ok(expected !== undefined);
      for (const [i, ended] of everyone().entries()) {
        const got = ended.filter((e) => e.roundId === roundId).map((e) => {
          const { receivedAt: _, ...message } = e as EndRound & { receivedAt?: number };
          return message;
        });
        const { receivedAt: _, ...message } = expected;
        assert.deepEqual(got, [message], `client ${i}, round ${roundId}: once and whole`);
      }
    }
  } finally {
    for (const { socket } of bare) socket.close();
    await Promise.all(official.map((client) => client.stop()));
    await server.stop();
  }
});
