/**
 * The official `@microsoft/signalr` client against the real server: the
 * original Angular client's flow and the game's rules over the wire.
 */

import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { connectClient, type TestClient } from "../support/hub_client.ts";
import { signToken } from "../../src/auth/tokens.ts";
import { encodeRecord, JSON_HANDSHAKE, splitRecords } from "../../src/hub/wire.ts";

const ROUND_SECONDS = 1.5;
const SECRET = "a test secret that is at least thirty-two bytes";

async function withServer(fn: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({
    roundSeconds: ROUND_SECONDS,
    env: { JWT_SECRET: SECRET },
  });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

/** Waits for a round boundary so the next steps happen early in a fresh round. */
async function freshRound(client: TestClient) {
  return await client.nextEndRound();
}

Deno.test("official client: the original flow plays a round and wins it", async () => {
  await withServer(async (server) => {
    const player = await registerAndLogin(server.url);
    const client = await connectClient(server.url, player.token);
    try {
      assert.deepEqual(
        { ...client.info, roundId: 0, roundEndsAt: 0, serverTime: 0, lastRound: null },
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
      );
      // Rounds may have ended before the player connected; the last one, if any, is named.
      const { lastRound } = client.info;
      assert.ok(lastRound === null || lastRound.roundId === client.info.roundId - 1);
      assert.ok(Math.abs(client.info.serverTime - Date.now()) < 1000);
      await freshRound(client);
      const end = client.nextEndRound();
      let last;
      for (let i = 0; i < 12; i++) last = await client.connection.invoke("Increment");
      assert.deepEqual(last, { score: 12, multiplier: 1, multiplierCost: 10, counted: true });
      assert.deepEqual(await client.connection.invoke("BuyMultiplier"), {
        score: 2,
        multiplier: 2,
        multiplierCost: 20,
        counted: true,
      });
      assert.deepEqual(await client.connection.invoke("Increment"), {
        score: 4,
        multiplier: 2,
        multiplierCost: 20,
        counted: true,
      });
      await assert.rejects(
        client.connection.invoke("BuyMultiplier"),
        /Not enough points: the next multiplier costs 20, you have 4/,
      );
      const result = await end;
      assert.deepEqual(result.winners, [player.username]);
      assert.equal(result.nbClicks, 4);
      assert.equal(result.nextRoundEndsAt - ROUND_SECONDS * 1000 <= result.receivedAt, true);
      // The round is reset: the next click starts from zero with multiplier 1.
      assert.deepEqual(await client.connection.invoke("Increment"), {
        score: 1,
        multiplier: 1,
        multiplierCost: 10,
        counted: true,
      });
    } finally {
      await client.stop();
    }
    // The win shows in the next GameInfo and in the leaderboard.
    const again = await connectClient(server.url, player.token);
    try {
      assert.equal(again.info.nbWins, 1);
    } finally {
      await again.stop();
    }
    const board = await (await fetch(server.url + "api/leaderboard")).json();
    assert.deepEqual(board, [{ username: player.username, nbWins: 1 }]);
    const rounds = await (await fetch(server.url + "api/rounds?limit=100")).json();
    const won = rounds.find((r: { winners: string[] }) => r.winners.length > 0);
    assert.deepEqual(won.winners, [player.username]);
    assert.equal(won.nbClicks, 4);
    assert.equal(won.players, 1);
  });
});

Deno.test("official client: a tie lets both players win; a watcher gets EndRound too", async () => {
  await withServer(async (server) => {
    const [ann, bob, cat] = await Promise.all([
      registerAndLogin(server.url),
      registerAndLogin(server.url),
      registerAndLogin(server.url),
    ]);
    const a = await connectClient(server.url, ann.token);
    const b = await connectClient(server.url, bob.token);
    const watcher = await connectClient(server.url, cat.token);
    try {
      await freshRound(a);
      const ends = [a, b, watcher].map((c) => c.nextEndRound());
      for (let i = 0; i < 5; i++) {
        await Promise.all([a.connection.invoke("Increment"), b.connection.invoke("Increment")]);
      }
      const [ea, eb, ew] = await Promise.all(ends);
      assert.deepEqual({ ...ea, receivedAt: 0 }, { ...eb, receivedAt: 0 });
      assert.equal(ew.roundId, ea.roundId);
      assert.deepEqual([...ea.winners].sort(), [ann.username, bob.username].sort());
      assert.equal(ea.nbClicks, 5);
      assert.deepEqual(ew.winners, ea.winners);
    } finally {
      await Promise.all([a.stop(), b.stop(), watcher.stop()]);
    }
    const board = await (await fetch(server.url + "api/leaderboard")).json();
    assert.equal(board.length, 2);
    assert.ok(board.every((row: { nbWins: number }) => row.nbWins === 1));
  });
});

Deno.test("official client: a round nobody plays ends with winners [] and nbClicks 0", async () => {
  await withServer(async (server) => {
    const player = await registerAndLogin(server.url);
    const client = await connectClient(server.url, player.token);
    try {
      await freshRound(client);
      const end = await client.nextEndRound();
      assert.deepEqual(end.winners, []);
      assert.equal(end.nbClicks, 0);
      assert.equal(typeof end.roundId, "number");
    } finally {
      await client.stop();
    }
  });
});

Deno.test("official client: two tabs of one player share the score; a reconnect keeps it", async () => {
  await withServer(async (server) => {
    const player = await registerAndLogin(server.url);
    const tab1 = await connectClient(server.url, player.token);
    let tab2: TestClient | undefined;
    let tab3: TestClient | undefined;
    try {
      await freshRound(tab1);
      tab2 = await connectClient(server.url, player.token);
      await tab1.connection.invoke("Increment");
      await tab1.connection.invoke("Increment");
      const shared = await tab2.connection.invoke("Increment");
      assert.equal(shared.score, 3);
      await tab1.stop();
      await tab2.stop();
      tab3 = await connectClient(server.url, player.token);
      assert.equal(tab3.info.score, 3, "the score kept by the server within the round");
      assert.equal(tab3.info.roundId, tab1.info.roundId + 1);
    } finally {
      await Promise.all([tab1.stop(), tab2?.stop(), tab3?.stop()]);
    }
  });
});

Deno.test("raw WebSocket: access_token in the query and no negotiate, as browsers do", async () => {
  await withServer(async (server) => {
    const player = await registerAndLogin(server.url);
    const url = server.url.replace("http", "ws") + "game?access_token=" + player.token;
    const socket = new WebSocket(url);
    const records: Record<string, unknown>[] = [];
    let waiting: { test: (r: Record<string, unknown>) => boolean; resolve: () => void } | undefined;
    const until = (test: (r: Record<string, unknown>) => boolean) =>
      new Promise<void>((resolve) => {
        if (records.some(test)) return resolve();
        waiting = { test, resolve };
      });
    socket.onmessage = (event) => {
      for (const text of splitRecords("", String(event.data)).records) {
        const record = JSON.parse(text);
        records.push(record);
        if (waiting?.test(record)) waiting.resolve();
      }
    };
    await new Promise((resolve) => (socket.onopen = resolve));
    socket.send(encodeRecord(JSON_HANDSHAKE));
    await until((r) => r.target === "GameInfo");
    assert.deepEqual(records[0], {});
    socket.send(
      // Two records in one message.
      encodeRecord({ type: 1, invocationId: "1", target: "Increment", arguments: [] }) +
        encodeRecord({ type: 6 }),
    );
    await until((r) => r.invocationId === "1");
    assert.deepEqual(records.find((r) => r.invocationId === "1"), {
      type: 3,
      invocationId: "1",
      result: { score: 1, multiplier: 1, multiplierCost: 10, counted: true },
    });
    await until((r) => r.target === "EndRound");
    const closed = new Promise((resolve) => (socket.onclose = resolve));
    socket.close();
    await closed;
  });
});

Deno.test("official client: a close record with a reason code still reaches onclose", async () => {
  await withServer(async (server) => {
    const player = await registerAndLogin(server.url);
    const tabs: TestClient[] = [await connectClient(server.url, player.token)];
    try {
      const closed = new Promise<Error | undefined>((resolve) =>
        tabs[0].connection.onclose(resolve)
      );
      // One more than a player may hold: the server closes the oldest.
      for (let i = 0; i < 5; i++) tabs.push(await connectClient(server.url, player.token));
      assert.match(String((await closed)?.message), /Too many connections/);
    } finally {
      await Promise.all(tabs.map((tab) => tab.stop()));
    }
  });
});

Deno.test("hub refuses a missing, bad or expired token with 401 before any upgrade", async () => {
  await withServer(async (server) => {
    const base = server.url + "game";
    const headers = { upgrade: "websocket", connection: "Upgrade" };
    const player = await registerAndLogin(server.url);
    const expired = await signToken(
      SECRET,
      { id: 1, username: player.username },
      1,
      Date.now() - 3_600_000,
    );
    const cases = [
      await fetch(base, { headers }),
      await fetch(base + "?access_token=nope", { headers }),
      await fetch(base, { headers: { ...headers, authorization: "Bearer a.b.c" } }),
      await fetch(base + "?access_token=" + expired.token, { headers }),
      await fetch(base + "/negotiate?negotiateVersion=1", { method: "POST" }),
    ];
    for (const response of cases) {
      assert.equal(response.status, 401);
      assert.equal(typeof (await response.json()).message, "string");
    }
  });
});
