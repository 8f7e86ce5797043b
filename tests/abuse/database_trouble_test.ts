/**
 * Database trouble against the real server: another program holds the
 * SQLite file's write lock across a round's end, or the file is deleted
 * under the running server. The game never stalls, no player is told a
 * result the database doesn't hold, and `/healthz` and the log say why.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { startTestServer } from "../support/test_server.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { postJson, registerAndLogin, uniqueName } from "../support/accounts.ts";
import { argumentOf, type HubRecord, type HubSocket, openHub } from "./hub_socket.ts";
import { assertWinsConsistent, readRows, winsOf } from "./db_rows.ts";
import { isBusyError } from "../../src/db/sqlite_errors.ts";

interface Health {
  readonly status: number;
  readonly body: {
    database: string;
    roundLoop: {
      roundId: number;
      unrecorded: number;
      lastUnitOfWork: { ok: boolean; error?: string } | null;
    };
  };
}

async function health(url: string): Promise<Health> {
  const response = await fetch(url + "healthz");
  return { status: response.status, body: await response.json() };
}

/** Polls `/healthz` until `check` holds (15 s at most). */
async function untilHealth(url: string, check: (answer: Health) => boolean): Promise<Health> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await health(url);
    if (check(answer)) return answer;
    assert.ok(Date.now() < deadline, `healthz never got there: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function click(socket: HubSocket, times: number): Promise<number> {
  let score = 0;
  for (let i = 0; i < times; i++) {
    const completion = await socket.invoke("Increment");
    const result = completion.result as { counted: boolean; score: number };
    assert.equal(result.counted, true);
    score = result.score;
  }
  return score;
}

const endRoundOf = (roundId: number) => (r: HubRecord) =>
  r.target === "EndRound" && argumentOf(r).roundId === roundId;

/**
 * Takes the write lock as another program would. The server runs in this
 * process, so the lock is retried asynchronously: a waiting `exec` here
 * would stop the server from finishing the transaction it may be in.
 */
async function takeWriteLock(path: string): Promise<DatabaseSync> {
  const locker = new DatabaseSync(path);
  for (;;) {
    try {
      locker.prepare("BEGIN EXCLUSIVE").run();
      return locker;
    } catch (error) {
      if (!isBusyError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

Deno.test("database locked across a tick: play goes on, EndRound waits for the record, then says what it holds", async () => {
  const server = await startTestServer({ roundSeconds: 3 });
  let locker: DatabaseSync | undefined;
  const sockets: HubSocket[] = [];
  try {
    const player = await registerAndLogin(server.url);
    const socket = await openHub(server.url, player.token);
    sockets.push(socket);
    const start = argumentOf(await socket.waitFor((r) => r.target === "EndRound"));
    const roundId = Number(start.roundId) + 1;
    await click(socket, 4);
    assert.equal((await health(server.url)).status, 200);

    // Another program holds the write lock across the round's end.
    locker = await takeWriteLock(server.databasePath);
    const sick = await untilHealth(server.url, (h) => h.body.roundLoop.roundId === roundId + 1);
    assert.equal(sick.status, 503);
    assert.equal(sick.body.roundLoop.unrecorded, 1);
    // The game goes on meanwhile, in the next round: every click is answered
    // while the lock is held (no wait blocks the server).
    assert.equal(await click(socket, 3), 3);
    assert.equal(await click(socket, 1), 4);
    // Once the driver gives up waiting, SQLite's own words reach /healthz.
    const failed = await untilHealth(
      server.url,
      (h) => h.body.roundLoop.lastUnitOfWork?.ok === false,
    );
    assert.equal(failed.status, 503);
    assert.match(failed.body.roundLoop.lastUnitOfWork?.error ?? "", /locked \(SQLITE_BUSY\)/);
    // Nothing was announced, and readers still read (WAL): the round is not recorded.
    assert.equal(socket.records.some(endRoundOf(roundId)), false);
    assert.deepEqual(readRows(server.databasePath).rounds.filter((r) => r.id === roundId), []);

    locker.exec("ROLLBACK");
    locker.close();
    locker = undefined;
    // Recorded at last, then announced, with what the database holds.
    const end = argumentOf(await socket.waitFor(endRoundOf(roundId), { from: 0 }));
    assert.deepEqual([end.winners, end.nbClicks], [[player.username], 4]);
    let rows = readRows(server.databasePath);
    assert.deepEqual(rows.rounds.filter((r) => r.id === roundId), [
      { id: roundId, nb_clicks: 4, players: 1 },
    ]);
    assert.deepEqual(rows.winners.filter((w) => w.round_id === roundId), [
      { round_id: roundId, username: player.username },
    ]);
    assertWinsConsistent(rows);

    // The round played during the trouble is recorded and announced too, once.
    const next = argumentOf(await socket.waitFor(endRoundOf(roundId + 1), { from: 0 }));
    assert.deepEqual([next.winners, next.nbClicks], [[player.username], 4]);
    await untilHealth(server.url, (h) => h.status === 200);
    rows = readRows(server.databasePath);
    assert.deepEqual(rows.rounds.filter((r) => r.id === roundId + 1), [
      { id: roundId + 1, nb_clicks: 4, players: 1 },
    ]);
    assert.equal(winsOf(rows, player.username), 2);
    assertWinsConsistent(rows);
    const ended = socket.records.filter((r) => r.target === "EndRound").map((r) =>
      Number(argumentOf(r).roundId)
    );
    assert.deepEqual(ended, ended.toSorted((a, b) => a - b), "EndRounds in order");
    assert.equal(new Set(ended).size, ended.length, "each round announced once");
  } finally {
    if (locker?.isOpen) locker.close();
    for (const socket of sockets) await socket.close();
    await server.stop();
  }
});

Deno.test("database deleted while running: 503 and a log line, no write reported done, and SIGTERM says so", async () => {
  const server = await spawnServer({ roundSeconds: 1 });
  let code: number | undefined;
  try {
    const player = await registerAndLogin(server.url);
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(server.databasePath + suffix);
    // At once, before any watch could notice: the insert went to a lost file,
    // so it must not be answered as a success.
    const username = uniqueName();
    const registered = await postJson(server.url + "api/account/register", {
      username,
      email: `${username}@example.com`,
      password: "correct horse battery",
      passwordConfirm: "correct horse battery",
    });
    assert.equal(registered.status, 503, JSON.stringify(registered.body));
    assert.match(String(registered.body.message), /database is unavailable/);
    const sick = await untilHealth(server.url, (h) => h.status === 503);
    assert.match(sick.body.database, /was deleted or replaced/);
    assert.match(server.output(), /Database was deleted or replaced.* path=\S*clicker\.db/);
    const login = await postJson(server.url + "api/account/login", {
      username: player.username,
      password: player.password,
    });
    assert.equal(login.status, 503);
  } finally {
    code = await server.stop("SIGTERM");
  }
  assert.equal(code, 1, server.output());
  assert.match(
    server.output(),
    /clicker: shutdown could not save to the database: .*was deleted or replaced/,
  );
});
