/**
 * Graceful shutdown and crash recovery of the real server (`main.ts` in a
 * child process): SIGTERM mid-round then a restart before or after the
 * round's deadline, and kill -9 mid-round or right at a round's end.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type SpawnedServer, spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { argumentOf, type HubSocket, openHub } from "./hub_socket.ts";
import { openRawSocket } from "./raw_socket.ts";
import { CloseReason, encodeRecord, JSON_HANDSHAKE } from "../../src/hub/wire.ts";
import { assertWinsConsistent, readRows, untilRows, winsOf } from "./db_rows.ts";
import { temporaryFolder } from "../support/temp_folder.ts";

async function tempDatabase(): Promise<string> {
  return join(await temporaryFolder("clicker-abuse-"), "clicker.db");
}

/** Runs `body` with a server, and always stops the server and closes sockets. */
async function withServer(
  options: { databasePath: string; roundSeconds: number },
  body: (server: SpawnedServer, hub: (token: string) => Promise<HubSocket>) => Promise<void>,
): Promise<SpawnedServer> {
  const server = await spawnServer(options);
  const sockets: HubSocket[] = [];
  try {
    await body(server, async (token) => {
      const socket = await openHub(server.url, token);
      sockets.push(socket);
      return socket;
    });
  } finally {
    await server.stop("SIGKILL"); // no-op when the test stopped it already
    for (const socket of sockets) await socket.close();
  }
  return server;
}

async function click(socket: HubSocket, times: number): Promise<number> {
  let score = 0;
  for (let i = 0; i < times; i++) {
    const completion = await socket.invoke("Increment");
    score = (completion.result as { score: number }).score;
  }
  return score;
}

/** Waits for the next round to begin; returns its id and deadline. */
async function freshRound(socket: HubSocket): Promise<{ roundId: number; endsAt: number }> {
  const end = argumentOf(await socket.waitFor((r) => r.target === "EndRound"));
  return { roundId: Number(end.roundId) + 1, endsAt: Number(end.nextRoundEndsAt) };
}

async function until(epochMs: number): Promise<void> {
  // The server is down: there is no event to await, only the clock.
  const wait = epochMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

async function players(url: string): Promise<[TestPlayer, TestPlayer]> {
  return [await registerAndLogin(url), await registerAndLogin(url)];
}

Deno.test("SIGTERM mid-round: exit 0 fast, sockets get 1001, a restart before the deadline resumes", async () => {
  const databasePath = await tempDatabase();
  const roundSeconds = 4;
  let a!: TestPlayer, b!: TestPlayer;
  let round!: { roundId: number; endsAt: number };
  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    [a, b] = await players(server.url);
    const sa = await hub(a.token);
    const sb = await hub(b.token);
    round = await freshRound(sa);
    await click(sa, 15);
    const bought = await sa.invoke("BuyMultiplier");
    assert.deepEqual(bought.result, { score: 5, multiplier: 2, multiplierCost: 20, counted: true });
    assert.equal(await click(sa, 3), 11);
    assert.equal(await click(sb, 7), 7);

    const started = performance.now();
    assert.equal(await server.stop("SIGTERM"), 0);
    assert.ok(performance.now() - started < 5000);
    for (const socket of [sa, sb]) {
      assert.equal((await socket.closed).code, 1001);
      // A close record first, saying why and that the client may come back.
      assert.deepEqual(socket.records.at(-1), {
        type: 7,
        error: "Server is shutting down",
        allowReconnect: true,
        reason: CloseReason.ShuttingDown,
      });
    }
  });
  const saved = readRows(databasePath);
  assert.deepEqual(saved.rounds.filter((r) => r.id === round.roundId), []);
  const checkpoint = saved.checkpoints.find((c) => c.round_id === round.roundId);
  assert.ok(checkpoint, "the round in progress was not saved");
  assert.equal(checkpoint.ends_at, round.endsAt);
  const standing = (name: string) => checkpoint.standings.find((s) => s.username === name);
  assert.deepEqual([standing(a.username)?.score, standing(a.username)?.multiplier], [11, 2]);
  assert.deepEqual([standing(b.username)?.score, standing(b.username)?.multiplier], [7, 1]);
  assert.ok(Date.now() < round.endsAt - 1000, "too slow to test a resume");

  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    const sa = await hub(a.token);
    const info = argumentOf(sa.records.find((r) => r.target === "GameInfo")!);
    assert.equal(info.roundId, round.roundId);
    assert.equal(info.roundEndsAt, round.endsAt);
    assert.deepEqual([info.score, info.multiplier], [11, 2]);
    const sb = await hub(b.token);
    assert.equal(argumentOf(sb.records.find((r) => r.target === "GameInfo")!).score, 7);
    assert.equal(await click(sa, 1), 13);
    const end = argumentOf(await sa.waitFor((r) => r.target === "EndRound"));
    assert.deepEqual(end, {
      winners: [a.username],
      nbClicks: 13,
      roundId: round.roundId,
      nextRoundEndsAt: round.endsAt + roundSeconds * 1000,
      // The round's final top, carried over the restart from the checkpoint.
      standings: [{ username: a.username, score: 13 }, { username: b.username, score: 7 }],
    });
    assert.equal(await server.stop("SIGTERM"), 0);
  });
  const rows = readRows(databasePath);
  assert.deepEqual(rows.rounds.find((r) => r.id === round.roundId), {
    id: round.roundId,
    nb_clicks: 13,
    players: 2,
  });
  assert.deepEqual(rows.winners, [{ round_id: round.roundId, username: a.username }]);
  assert.equal(winsOf(rows, a.username), 1);
  assert.equal(winsOf(rows, b.username), 0);
  assertWinsConsistent(rows);
});

Deno.test("SIGHUP mid-round: stops like SIGTERM, with a close record, and the round is saved", async () => {
  const databasePath = await tempDatabase();
  let a!: TestPlayer;
  let round!: { roundId: number; endsAt: number };
  await withServer({ databasePath, roundSeconds: 4 }, async (server, hub) => {
    a = await registerAndLogin(server.url);
    const sa = await hub(a.token);
    round = await freshRound(sa);
    assert.equal(await click(sa, 5), 5);
    assert.equal(await server.stop("SIGHUP"), 0, server.output());
    assert.equal((await sa.closed).code, 1001);
    assert.deepEqual(sa.records.at(-1), {
      type: 7,
      error: "Server is shutting down",
      allowReconnect: true,
      reason: CloseReason.ShuttingDown,
    });
  });
  const checkpoint = readRows(databasePath).checkpoints.find((c) => c.round_id === round.roundId);
  assert.ok(checkpoint, "the round in progress was not saved");
  assert.deepEqual(checkpoint.standings.map((s) => [s.username, s.score]), [[a.username, 5]]);
});

Deno.test("SIGTERM with a stuck client and request: exit 0 in 5 s; a restart after the deadline closes the round once", async () => {
  const databasePath = await tempDatabase();
  const roundSeconds = 2;
  let a!: TestPlayer, b!: TestPlayer;
  let round!: { roundId: number; endsAt: number };
  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    [a, b] = await players(server.url);
    const sa = await hub(a.token);
    const sb = await hub(b.token);
    round = await freshRound(sa);
    await click(sa, 6);
    await click(sb, 3);
    // A client that never reads, and a request whose body never comes.
    const stuck = await openRawSocket(server.url, b.token);
    await stuck.sendText(encodeRecord(JSON_HANDSHAKE));
    const request = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await request.write(
      new TextEncoder().encode(
        "POST /api/account/login HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{",
      ),
    );
    try {
      const started = performance.now();
      assert.equal(await server.stop("SIGTERM"), 0);
      assert.ok(performance.now() - started < 5000, "shutdown took over 5 s");
    } finally {
      stuck.close();
      request.close();
    }
  });
  assert.ok(readRows(databasePath).checkpoints.some((c) => c.round_id === round.roundId));

  await until(round.endsAt + 100);
  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    const rows = readRows(databasePath);
    assert.deepEqual(rows.rounds.find((r) => r.id === round.roundId), {
      id: round.roundId,
      nb_clicks: 6,
      players: 2,
    });
    assert.deepEqual(rows.winners, [{ round_id: round.roundId, username: a.username }]);
    assert.equal(winsOf(rows, a.username), 1);
    // Play goes on with the current round.
    const sa = await hub(a.token);
    const info = argumentOf(sa.records.find((r) => r.target === "GameInfo")!);
    assert.ok(Number(info.roundId) > round.roundId);
    assert.equal(info.score, 0);
    assert.equal(info.nbWins, 1);
    assert.equal(await click(sa, 2), 2);
    const end = argumentOf(await sa.waitFor((r) => r.target === "EndRound"));
    assert.deepEqual(end.winners, [a.username]);
    assert.equal(await server.stop("SIGTERM"), 0);
  });
  // A third start finds nothing left to close twice (and SIGINT stops it as SIGTERM does).
  await withServer({ databasePath, roundSeconds }, async (server) => {
    assert.equal(await server.stop("SIGINT"), 0);
  });
  const rows = readRows(databasePath);
  assert.equal(rows.rounds.filter((r) => r.id === round.roundId).length, 1);
  assert.equal(winsOf(rows, a.username), 2);
  assert.equal(winsOf(rows, b.username), 0);
  assertWinsConsistent(rows);
});

Deno.test("kill -9 mid-round: a restart closes the round once from its last checkpoint", async () => {
  const databasePath = await tempDatabase();
  const roundSeconds = 2;
  let a!: TestPlayer, b!: TestPlayer;
  let round!: { roundId: number; endsAt: number };
  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    [a, b] = await players(server.url);
    const sa = await hub(a.token);
    const sb = await hub(b.token);
    round = await freshRound(sa);
    await click(sb, 3);
    await click(sa, 8);
    // The checkpoint (at most a second later) is the event to wait for.
    await untilRows(
      databasePath,
      (rows) =>
        rows.checkpoints.some((c) =>
          c.round_id === round.roundId && c.standings.some((s) => s.score === 8)
        ),
    );
    assert.notEqual(await server.stop("SIGKILL"), 0);
  });

  await until(round.endsAt + 100);
  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    let rows = readRows(databasePath);
    assert.deepEqual(rows.rounds.find((r) => r.id === round.roundId)?.nb_clicks, 8);
    assert.deepEqual(rows.winners, [{ round_id: round.roundId, username: a.username }]);
    const sa = await hub(a.token);
    const info = argumentOf(sa.records.find((r) => r.target === "GameInfo")!);
    assert.equal(info.nbWins, 1);
    assert.ok(Number(info.roundId) > round.roundId);
    await sa.waitFor((r) => r.target === "EndRound"); // play goes on
    assert.equal(await server.stop("SIGTERM"), 0);
    rows = readRows(databasePath);
    assert.equal(rows.rounds.filter((r) => r.id === round.roundId).length, 1);
    assert.equal(winsOf(rows, a.username), 1);
    assert.equal(winsOf(rows, b.username), 0);
    assertWinsConsistent(rows);
  });
});

Deno.test("kill -9 at a round's end, again and again: no round recorded twice, no win counted twice", async () => {
  const databasePath = await tempDatabase();
  const roundSeconds = 1;
  let a!: TestPlayer;
  let ended = 0;
  // Crash right after EndRound (the round was just recorded), a little later, and mid-round.
  for (const delayMs of [0, 30, 400]) {
    await withServer({ databasePath, roundSeconds }, async (server, hub) => {
      a ??= await registerAndLogin(server.url);
      const sa = await hub(a.token);
      await click(sa, 2);
      const end = argumentOf(await sa.waitFor((r) => r.target === "EndRound"));
      if (end.winners && (end.winners as string[]).includes(a.username)) ended++;
      await click(sa, 1);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      assert.notEqual(await server.stop("SIGKILL"), 0);
    });
    assertWinsConsistent(readRows(databasePath));
  }
  await withServer({ databasePath, roundSeconds }, async (server, hub) => {
    const sa = await hub(a.token);
    await sa.waitFor((r) => r.target === "EndRound");
    assert.equal(await server.stop("SIGTERM"), 0);
  });
  const rows = readRows(databasePath);
  assertWinsConsistent(rows);
  // Every round A won while we watched was recorded, once.
  assert.ok(winsOf(rows, a.username)! >= ended, `${winsOf(rows, a.username)} < ${ended}`);
  const ids = rows.rounds.map((r) => r.id);
  assert.deepEqual(ids, ids.toSorted((x, y) => x - y));
});
