import assert from "node:assert/strict";
import { dirname } from "node:path";
import { createPlayer } from "../../src/db/accounts.ts";
import { recordRound } from "../../src/db/rounds.ts";
import { startTestServer } from "../support/test_server.ts";

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  const text = await response.text();
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/, text);
  return { status: response.status, body: JSON.parse(text) };
}

Deno.test("stats routes", async (t) => {
  const server = await startTestServer();
  const db = server.server.db;
  try {
    await t.step("GET /api/leaderboard and /api/rounds are empty lists at first", async () => {
      assert.deepEqual(await getJson(server.url + "api/leaderboard"), { status: 200, body: [] });
      assert.deepEqual(await getJson(server.url + "api/rounds"), { status: 200, body: [] });
    });

    // Twelve players; player i has won i rounds (ids 1000 on, far from the live loop's).
    const players: { id: number; username: string }[] = [];
    for (let i = 1; i <= 12; i++) {
      const username = `player${String(i).padStart(2, "0")}`;
      const created = await createPlayer(db, {
        username,
        email: `${username}@example.com`,
        passwordHash: "x",
        createdAt: i,
      });
      assert.ok(created.ok);
      players.push({ id: created.id, username });
    }
    let roundId = 1000;
    for (let wins = 1; wins <= 12; wins++) {
      const winners = players.filter((_, i) => i + 1 >= wins);
      const id = roundId++;
      await recordRound(db, {
        id,
        startedAt: id * 1000,
        endedAt: id * 1000 + 500,
        winners,
        nbClicks: wins,
        players: winners.length,
      });
    }

    await t.step("GET /api/leaderboard lists most wins first, 10 by default", async () => {
      const { status, body } = await getJson(server.url + "api/leaderboard");
      assert.equal(status, 200);
      assert.deepEqual(
        body,
        players.slice().reverse().slice(0, 10).map((p, i) => ({
          username: p.username,
          nbWins: 12 - i,
        })),
      );
    });

    await t.step("GET /api/leaderboard?limit=N takes from 1 to 100", async () => {
      for (const [limit, count] of [["1", 1], ["3", 3], ["12", 12], ["100", 12]] as const) {
        const { status, body } = await getJson(server.url + `api/leaderboard?limit=${limit}`);
        assert.equal(status, 200);
        assert.equal((body as unknown[]).length, count, limit);
      }
    });

    await t.step("GET /api/rounds lists recent rounds newest first", async () => {
      const { status, body } = await getJson(server.url + "api/rounds");
      assert.equal(status, 200);
      const rounds = body as { id: number; winners: string[] }[];
      assert.equal(rounds.length, 10);
      assert.deepEqual(rounds.map((r) => r.id), [
        1011,
        1010,
        1009,
        1008,
        1007,
        1006,
        1005,
        1004,
        1003,
        1002,
      ]);
      assert.deepEqual(rounds[0], {
        id: 1011,
        endedAt: 1011 * 1000 + 500,
        winners: ["player12"],
        nbClicks: 12,
        players: 1,
      });
      const { body: two } = await getJson(server.url + "api/rounds?limit=2");
      assert.deepEqual((two as { id: number }[]).map((r) => r.id), [1011, 1010]);
      const { body: oldest } = await getJson(server.url + "api/rounds?limit=100");
      const first = (oldest as { id: number; winners: string[] }[]).at(-1);
      assert.equal(first?.id, 1000);
      assert.equal(first?.winners.length, 12);
    });

    await t.step("a bad limit answers 400 with a message", async () => {
      for (const path of ["api/leaderboard", "api/rounds"]) {
        for (const limit of ["0", "101", "-1", "abc", "1.5", "1e1", "%20"]) {
          const { status, body } = await getJson(server.url + `${path}?limit=${limit}`);
          assert.equal(status, 400, `${path}?limit=${limit}`);
          assert.equal(typeof (body as { message: unknown }).message, "string");
        }
      }
    });

    await t.step("paths ignore case", async () => {
      assert.equal((await getJson(server.url + "API/Leaderboard?limit=1")).status, 200);
      assert.equal((await getJson(server.url + "Api/Rounds")).status, 200);
    });

    await t.step("GET /healthz answers 200 with status ok", async () => {
      const { status, body } = await getJson(server.url + "healthz");
      assert.equal(status, 200);
      const health = body as Record<string, unknown>;
      assert.equal(health.status, "ok");
      assert.equal(health.database, "ok");
      assert.equal((health.roundLoop as { running: boolean }).running, true);
    });

    await t.step("GET /healthz answers 503 once the round loop has stopped", async () => {
      await server.server.loop.stop();
      const { status, body } = await getJson(server.url + "healthz");
      assert.equal(status, 503);
      assert.notEqual((body as { status: string }).status, "ok");
    });
  } finally {
    await server.stop();
  }
});

Deno.test("stats routes answer 503 with the database's own words once the file is gone", async () => {
  const server = await startTestServer();
  try {
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(server.databasePath + suffix);
    // The server's watch notices within a second or so; the round loop's next
    // write may notice first. Either way /healthz must come to say it.
    const deadline = Date.now() + 10_000;
    let health = await getJson(server.url + "healthz");
    while (health.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      health = await getJson(server.url + "healthz");
    }
    assert.equal(health.status, 503);
    assert.match((health.body as { database: string }).database, /was deleted or replaced/);
    for (const path of ["api/leaderboard", "api/rounds"]) {
      const { status, body } = await getJson(server.url + path);
      assert.equal(status, 503, path);
      assert.match((body as { message: string }).message, /database is unavailable/);
    }
  } finally {
    // The last save can't work: the round in progress had nowhere to go.
    await assert.rejects(() => server.stop(), /shutdown could not save/);
    // stop() threw before removing the server's folder.
    await Deno.remove(dirname(server.databasePath), { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
});
