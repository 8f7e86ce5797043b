/**
 * Database trouble against the real server: another connection holds the
 * SQLite file locked across a round's end. The game goes on, `/healthz` says
 * 503 until the round is recorded, and nothing is counted twice.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { startTestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { argumentOf, openHub } from "./hub_socket.ts";
import { assertWinsConsistent, readRows, winsOf } from "./db_rows.ts";

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url + "healthz");
  return { status: response.status, body: await response.json() };
}

/** Polls `/healthz` until it answers `status` (10 s at most). */
async function untilHealth(url: string, status: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await health(url);
    if (answer.status === status) return answer.body;
    assert.ok(Date.now() < deadline, `healthz stayed ${answer.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function click(socket: Awaited<ReturnType<typeof openHub>>, times: number) {
  for (let i = 0; i < times; i++) {
    const completion = await socket.invoke("Increment");
    assert.equal((completion.result as { counted: boolean }).counted, true);
  }
}

Deno.test("database locked across a tick: play goes on, healthz 503 then 200, the round recorded once", async () => {
  const server = await startTestServer({ roundSeconds: 1 });
  let locker: DatabaseSync | undefined;
  const sockets = [];
  try {
    const player = await registerAndLogin(server.url);
    const socket = await openHub(server.url, player.token);
    sockets.push(socket);
    const start = argumentOf(await socket.waitFor((r) => r.target === "EndRound"));
    const roundId = Number(start.roundId) + 1;
    await click(socket, 4);
    assert.equal((await health(server.url)).status, 200);

    // Another program holds the write lock across the round's end.
    locker = new DatabaseSync(server.databasePath);
    locker.exec("BEGIN EXCLUSIVE");
    const end = argumentOf(await socket.waitFor((r) => r.target === "EndRound"));
    assert.deepEqual([end.roundId, end.winners, end.nbClicks], [roundId, [player.username], 4]);
    const sick = await health(server.url);
    assert.equal(sick.status, 503);
    assert.equal((sick.body.roundLoop as { unrecorded: number }).unrecorded, 1);
    // Readers still read (WAL): the round is not recorded yet.
    assert.deepEqual(readRows(server.databasePath).rounds.filter((r) => r.id === roundId), []);
    // The game goes on meanwhile, in the next round.
    await click(socket, 3);
    const during = await socket.invoke("Increment");
    assert.equal((during.result as { score: number }).score, 4);
    assert.equal((await health(server.url)).status, 503);

    locker.exec("ROLLBACK");
    locker.close();
    locker = undefined;
    await untilHealth(server.url, 200);
    let rows = readRows(server.databasePath);
    assert.deepEqual(rows.rounds.filter((r) => r.id === roundId), [
      { id: roundId, nb_clicks: 4, players: 1 },
    ]);
    assertWinsConsistent(rows);

    // The next round, played during the trouble, is recorded too, once (it may
    // have ended already: failed writes stalled the loop 200 ms a try).
    const next = argumentOf(
      await socket.waitFor(
        (r) => r.target === "EndRound" && argumentOf(r).roundId === roundId + 1,
        {
          from: 0,
        },
      ),
    );
    assert.deepEqual([next.roundId, next.winners, next.nbClicks], [
      roundId + 1,
      [player.username],
      4,
    ]);
    await untilHealth(server.url, 200);
    rows = readRows(server.databasePath);
    assert.equal(rows.rounds.filter((r) => r.id === roundId + 1).length, 1);
    assert.equal(winsOf(rows, player.username), 2);
    assertWinsConsistent(rows);
  } finally {
    if (locker?.isOpen) locker.close();
    for (const socket of sockets) await socket.close();
    await server.stop();
  }
});
