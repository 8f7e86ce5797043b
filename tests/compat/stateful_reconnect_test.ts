/**
 * Stateful reconnect with the official client (`withStatefulReconnect()`),
 * through a TCP proxy that breaks the connection the way a network does:
 * the client resumes on the same connection, misses no `EndRound`, and its
 * clicks sent again after the break are not counted twice. A client that
 * stays away past the reconnect window loses its connection.
 */

import assert from "node:assert/strict";
import { HttpTransportType } from "@microsoft/signalr";
import { CHEAP_HASH, startTestServer, type TestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { connectClient, type ReceivedEndRound, type TestClient } from "../support/hub_client.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp_proxy.ts";

const ROUND_SECONDS = 3;

async function withServer(
  env: Record<string, string>,
  fn: (server: TestServer, proxy: TcpProxy) => Promise<void>,
): Promise<void> {
  const server = await startTestServer({
    roundSeconds: ROUND_SECONDS,
    hashParameters: CHEAP_HASH,
    env,
  });
  const proxy = await startTcpProxy(server.url);
  try {
    await fn(server, proxy);
  } finally {
    await proxy.close();
    await server.stop();
  }
}

/** The `EndRound` of round `roundId` as `client` received it. */
async function endOfRound(client: TestClient, roundId: number): Promise<ReceivedEndRound> {
  for (;;) {
    const end = client.ended.find((e) => e.roundId === roundId);
    if (end !== undefined) return end;
    await client.nextEndRound();
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const protocol of ["json", "messagepack"] as const) {
  Deno.test(`stateful reconnect (${protocol}): a broken socket resumes; no EndRound missed, no click counted twice`, async () => {
    await withServer({}, async (server, proxy) => {
      const [ann, bob] = await Promise.all([
        registerAndLogin(server.url),
        registerAndLogin(server.url),
      ]);
      const a = await connectClient(proxy.url, ann.token, {
        protocol,
        transport: HttpTransportType.WebSockets,
        statefulReconnect: true,
      });
      const b = await connectClient(server.url, bob.token, { protocol });
      let reconnected = 0;
      a.connection.onreconnected(() => reconnected++);
      const closed: unknown[] = [];
      a.connection.onclose((error) => closed.push(error));
      try {
        const { roundId } = await a.nextEndRound();
        const round = roundId + 1;
        for (let i = 1; i <= 5; i++) {
          assert.equal((await a.connection.invoke("Increment")).score, i);
        }
        assert.equal((await b.connection.invoke("Increment")).score, 1);
        // From here the server's answers, acknowledgements and EndRound are held back…
        proxy.holdDownstream();
        // …while three more clicks reach it: the client keeps them, unacknowledged.
        for (let i = 0; i < 3; i++) await a.connection.send("Increment");
        // The round ends during the outage; bob, connected directly, hears of it.
        const bobsEnd = await endOfRound(b, round);
        assert.deepEqual(bobsEnd.winners, [ann.username]);
        assert.equal(bobsEnd.nbClicks, 8, "5 clicks answered, 3 sent into the outage");
        await delay(100);
        // The socket breaks; the client reconnects on the same connection and
        // sends the three clicks again, which the server skips.
        proxy.cut();
        const annsEnd = await endOfRound(a, round);
        assert.deepEqual({ ...annsEnd, receivedAt: 0 }, { ...bobsEnd, receivedAt: 0 });
        assert.deepEqual(
          a.ended.filter((e) => e.roundId === round).length,
          1,
          "the replayed EndRound arrived once",
        );
        assert.deepEqual(await a.connection.invoke("Increment"), {
          score: 1,
          multiplier: 1,
          multiplierCost: 10,
          counted: true,
        }, "the next round starts from zero: the clicks sent again were not counted");
        const nextEnd = await endOfRound(b, round + 1);
        assert.deepEqual(nextEnd.winners, [ann.username]);
        assert.equal(nextEnd.nbClicks, 1);
        assert.equal((await endOfRound(a, round + 1)).nbClicks, 1);
        assert.equal(reconnected, 0, "transparent: no reconnect of the hub connection");
        assert.deepEqual(closed, []);
        assert.equal(server.server.health().online.connections, 2, "still one connection each");
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });
}

for (const protocol of ["json", "messagepack"] as const) {
  Deno.test(`stateful reconnect (${protocol}): a socket cut as an EndRound arrives; the resume does not deliver it again`, async () => {
    await withServer({}, async (server, proxy) => {
      const ann = await registerAndLogin(server.url);
      const a = await connectClient(proxy.url, ann.token, {
        protocol,
        transport: HttpTransportType.WebSockets,
        statefulReconnect: true,
      });
      let reconnected = 0;
      a.connection.onreconnected(() => reconnected++);
      // The network fails the moment the first EndRound has been handled:
      // nothing was acknowledged since the connection started, so the server
      // sends every message again, GameInfo to the EndRound.
      let cut = false;
      a.connection.on("EndRound", () => {
        if (cut) return;
        cut = true;
        proxy.cut();
      });
      try {
        const { roundId } = await a.nextEndRound();
        // Once resumed, a click is answered, then the next round ends.
        assert.deepEqual(await a.connection.invoke("Increment"), {
          score: 1,
          multiplier: 1,
          multiplierCost: 10,
          counted: true,
        });
        const next = await endOfRound(a, roundId + 1);
        assert.deepEqual(next.winners, [ann.username]);
        assert.deepEqual(
          a.ended.map((e) => e.roundId),
          [roundId, roundId + 1],
          "each EndRound handled once",
        );
        assert.equal(reconnected, 0, "transparent: no reconnect of the hub connection");
        assert.equal(server.server.health().online.connections, 1, "still one connection");
      } finally {
        await a.stop();
      }
    });
  });
}

Deno.test("stateful reconnect: a client away longer than the window loses its connection", async () => {
  await withServer({ RECONNECT_WINDOW_SECONDS: "1" }, async (server, proxy) => {
    const player = await registerAndLogin(server.url);
    const client = await connectClient(proxy.url, player.token, {
      transport: HttpTransportType.WebSockets,
      statefulReconnect: true,
    });
    const closed = new Promise<Error | undefined>((resolve) => client.connection.onclose(resolve));
    try {
      assert.equal(server.server.health().online.connections, 1);
      proxy.refusing = true;
      proxy.cut();
      // Its one attempt to reconnect is refused: the client gives up.
      await closed;
      assert.equal(server.server.health().online.connections, 1, "kept for the window");
      await delay(2500);
      assert.equal(server.server.health().online.connections, 0, "dropped after it");
      assert.equal(server.server.health().online.players, 0);
    } finally {
      await client.stop();
    }
  });
});
