/**
 * Every transport lives as long as its player, at the default round length
 * (30 s), in real time: the official client over Server-Sent Events, over
 * long polling (JSON and MessagePack) and over WebSockets sends nothing for
 * longer than the idle timeout, a round and the server's request timeout,
 * and stays connected: no close, no reconnect, no second `GameInfo`; it
 * hears the round's `EndRound`, and its next `Increment` counts. Meanwhile a
 * long-polling client that vanishes in the middle of a poll stops counting
 * as online once its 30 s of silence are over.
 *
 * All of it runs at once against one server (`main.ts` in a child
 * process), so the file costs one wait of some 35 s.
 *
 * @module
 */

import assert from "node:assert/strict";
import { HttpTransportType } from "@microsoft/signalr";
import { type SpawnedServer, spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { type ClientOptions, connectClient, type TestClient } from "../support/hub_client.ts";
import { ClientMethod } from "../../src/hub/wire.ts";

/** The server's idle timeout, the official client's server timeout: silence past both. */
const SILENCE_MS = 33_000;

const CLIENTS: readonly (ClientOptions & { readonly name: string; readonly kind: string })[] = [
  {
    name: "JSON over Server-Sent Events",
    kind: "ServerSentEventsTransport",
    transport: HttpTransportType.ServerSentEvents,
  },
  {
    name: "JSON over long polling",
    kind: "LongPollingTransport",
    transport: HttpTransportType.LongPolling,
  },
  {
    name: "MessagePack over long polling",
    kind: "LongPollingTransport",
    protocol: "messagepack",
    transport: HttpTransportType.LongPolling,
  },
  {
    name: "JSON over WebSockets",
    kind: "WebSocketTransport",
    transport: HttpTransportType.WebSockets,
  },
];

/** The transport a started official client ended up with (the client keeps it to itself). */
function transportOf(client: TestClient): string {
  const http = (client.connection as unknown as { connection: { transport: object } }).connection;
  return http.transport.constructor.name;
}

/** What went wrong with one client while it was silent. */
interface Watched {
  readonly name: string;
  readonly client: TestClient;
  readonly trouble: string[];
}

/** Connects a client and notes any close, reconnect or second `GameInfo`. */
async function watch(
  server: SpawnedServer,
  options: ClientOptions & { readonly name: string },
): Promise<Watched> {
  const player = await registerAndLogin(server.url);
  const client = await connectClient(server.url, player.token, {
    ...options,
    automaticReconnect: true,
  });
  const trouble: string[] = [];
  const { connection } = client;
  connection.onclose((error) => trouble.push(`closed: ${error?.message ?? "no error"}`));
  connection.onreconnecting((error) => trouble.push(`reconnecting: ${error?.message}`));
  connection.onreconnected(() => trouble.push("reconnected"));
  connection.on(ClientMethod.GameInfo, () => trouble.push("a second GameInfo"));
  return { name: options.name, client, trouble };
}

async function health(server: SpawnedServer): Promise<{ players: number; connections: number }> {
  const response = await fetch(server.url + "healthz");
  return (await response.json()).online;
}

/**
 * A long-polling client by hand that opens its connection, takes its
 * `GameInfo`, then vanishes in the middle of a held poll. Resolves with
 * when it vanished.
 */
async function vanishMidPoll(server: SpawnedServer): Promise<number> {
  const { token } = await registerAndLogin(server.url);
  const auth = { authorization: `Bearer ${token}` };
  const negotiated = await fetch(server.url + "game/negotiate?negotiateVersion=1", {
    method: "POST",
    headers: auth,
  });
  const { connectionToken } = await negotiated.json();
  const at = `${server.url}game?id=${encodeURIComponent(connectionToken)}`;
  assert.equal(await fetch(at, { headers: auth }).then(drain), 200, "the first poll opens");
  const posted = await fetch(at, {
    method: "POST",
    headers: auth,
    body: '{"protocol":"json","version":1}\x1e',
  });
  assert.equal(await drain(posted), 200);
  // Polls until one is held (unanswered for a second), then goes away in the middle of it.
  let info = "";
  for (;;) {
    const leaving = new AbortController();
    const poll = fetch(at, { headers: auth, signal: leaving.signal }).then((r) => r.text());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const second = new Promise<undefined>((resolve) =>
      timer = setTimeout(() => resolve(undefined), 1000)
    );
    const answer = await Promise.race([poll, second]);
    clearTimeout(timer);
    if (answer !== undefined) {
      info += answer;
      continue;
    }
    assert.match(info, /GameInfo/, "the connection started before its poll was held");
    leaving.abort();
    await poll.catch(() => {});
    return Date.now();
  }
}

async function drain(response: Response): Promise<number> {
  await response.body?.cancel();
  return response.status;
}

/** Resolves once `check` holds, asking every 250 ms; rejects after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

Deno.test("official client: every transport outlives a silence longer than a 30 s round", async () => {
  const server = await spawnServer(); // the default round: 30 s
  const watched: Watched[] = [];
  try {
    watched.push(...await Promise.all(CLIENTS.map((options) => watch(server, options))));
    for (const [i, { name, client }] of watched.entries()) {
      assert.equal(client.info.roundDurationMs, 30_000, name);
      assert.equal(transportOf(client), CLIENTS[i].kind, name);
    }
    const silentFrom = Date.now();
    const ends = watched.map(({ client }) => client.nextEndRound());
    const vanished = await vanishMidPoll(server);
    assert.deepEqual(await health(server), { players: 5, connections: 5 });

    // Nothing is sent from here: each client hears its round end, and the
    // vanished one is dropped once it has been silent for 30 s.
    const ended = await Promise.all(ends);
    for (const [i, end] of ended.entries()) {
      assert.equal(end.roundId, ended[0].roundId, watched[i].name);
    }
    await until(async () => (await health(server)).players === 4, 40_000, "the vanished poller");
    const droppedAfter = Date.now() - vanished;
    assert.ok(droppedAfter >= 29_000, `dropped after ${droppedAfter} ms, before its 30 s`);
    assert.ok(droppedAfter <= 35_000, `dropped after ${droppedAfter} ms, long after its 30 s`);
    const left = silentFrom + SILENCE_MS - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));

    await Promise.all(watched.map(async ({ name, client, trouble }) => {
      assert.deepEqual(trouble, [], name);
      assert.equal(client.connection.state, "Connected", name);
      assert.deepEqual(
        await client.connection.invoke("Increment"),
        { score: 1, multiplier: 1, multiplierCost: 10, counted: true },
        name,
      );
    }));
    assert.deepEqual(await health(server), { players: 4, connections: 4 });
    for (const { name, trouble } of watched) assert.deepEqual(trouble, [], name);
  } finally {
    await Promise.all(watched.map(({ client }) => client.stop()));
    const code = await server.stop();
    assert.equal(code, 0, server.output());
  }
});
