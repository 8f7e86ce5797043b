/**
 * The leaderboard, recent rounds and health check, called in memory; one
 * test against the real server, whose database file disappears under it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { createPlayer } from "../../src/db/accounts.ts";
import { recordRound } from "../../src/db/rounds.ts";
import { parseLimit } from "../../src/http/stats_routes.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { postJson, uniqueName } from "../support/accounts.ts";
import { type MemoryApp, memoryApp, RUNNING_LOOP } from "./memory_app.ts";

/** Reads a response that must be JSON. */
async function json(response: Response): Promise<{ status: number; body: unknown }> {
  const text = await response.text();
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/, text);
  return { status: response.status, body: JSON.parse(text) };
}

function getJson(app: MemoryApp, path: string) {
  return app.request(path).then(json);
}

/** Twelve players; player i has won i rounds, of ids 1000 to 1011. */
async function seed(app: MemoryApp): Promise<{ id: number; username: string }[]> {
  const players: { id: number; username: string }[] = [];
  for (let i = 1; i <= 12; i++) {
    const username = `player${String(i).padStart(2, "0")}`;
    const created = await createPlayer(app.db, {
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
    await recordRound(app.db, {
      id,
      startedAt: id * 1000,
      endedAt: id * 1000 + 500,
      winners,
      nbClicks: wins,
      players: winners.length,
      standings: winners.map(({ username }) => ({ username, score: wins })),
      scores: winners.map(({ id }, i) => ({ id, score: wins, rank: i + 1 })),
    });
  }
  return players;
}

Deno.test("parseLimit() takes 1 to 100, defaults to 10, and throws a 400 otherwise", () => {
  assert.equal(parseLimit(undefined), 10);
  assert.equal(parseLimit(""), 10);
  assert.equal(parseLimit("1"), 1);
  assert.equal(parseLimit("100"), 100);
  for (const bad of ["0", "101", "-1", "abc", "1.5", "1e1", " "]) {
    assert.throws(() => parseLimit(bad), { status: 400 }, bad);
  }
});

Deno.test("stats routes", async (t) => {
  const app = await memoryApp();
  try {
    await t.step("GET /api/leaderboard and /api/rounds are empty lists at first", async () => {
      assert.deepEqual(await getJson(app, "/api/leaderboard"), { status: 200, body: [] });
      assert.deepEqual(await getJson(app, "/api/rounds"), { status: 200, body: [] });
    });

    const players = await seed(app);

    await t.step("GET /api/leaderboard lists most wins first, 10 by default", async () => {
      const { status, body } = await getJson(app, "/api/leaderboard");
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
        const { status, body } = await getJson(app, `/api/leaderboard?limit=${limit}`);
        assert.equal(status, 200);
        assert.equal((body as unknown[]).length, count, limit);
      }
    });

    await t.step("GET /api/rounds lists recent rounds newest first", async () => {
      const { status, body } = await getJson(app, "/api/rounds");
      assert.equal(status, 200);
      const rounds = body as { id: number; winners: string[] }[];
      assert.deepEqual(rounds.map((r) => r.id), Array.from({ length: 10 }, (_, i) => 1011 - i));
      assert.deepEqual(rounds[0], {
        id: 1011,
        endedAt: 1011 * 1000 + 500,
        winners: ["player12"],
        nbClicks: 12,
        players: 1,
      });
      const { body: two } = await getJson(app, "/api/rounds?limit=2");
      assert.deepEqual((two as { id: number }[]).map((r) => r.id), [1011, 1010]);
      const { body: oldest } = await getJson(app, "/api/rounds?limit=100");
      const first = (oldest as { id: number; winners: string[] }[]).at(-1);
      assert.equal(first?.id, 1000);
      assert.equal(first?.winners.length, 12);
    });

    await t.step("a bad limit answers 400 with a message", async () => {
      for (const path of ["/api/leaderboard", "/api/rounds"]) {
        for (const limit of ["0", "101", "-1", "abc", "1.5", "1e1", "%20"]) {
          const { status, body } = await getJson(app, `${path}?limit=${limit}`);
          assert.equal(status, 400, `${path}?limit=${limit}`);
          assert.equal(typeof (body as { message: unknown }).message, "string");
        }
      }
    });

    await t.step("paths ignore case", async () => {
      assert.equal((await getJson(app, "/API/Leaderboard?limit=1")).status, 200);
      assert.equal((await getJson(app, "/Api/Rounds")).status, 200);
      assert.equal((await getJson(app, "/HEALTHZ")).status, 200);
    });
  } finally {
    await app.close();
  }
});

Deno.test("GET /healthz answers 200 with status ok while the loop runs and the database answers", async () => {
  const app = await memoryApp();
  try {
    const { status, body } = await getJson(app, "/healthz");
    assert.equal(status, 200);
    assert.deepEqual(body, {
      status: "ok",
      database: "ok",
      roundLoop: RUNNING_LOOP,
      online: { players: 0, connections: 0 },
    });
  } finally {
    await app.close();
  }
});

Deno.test("GET /healthz answers 503 when the loop has stopped, lags or failed its last write", async () => {
  const unhealthy = [
    { ...RUNNING_LOOP, running: false },
    { ...RUNNING_LOOP, unrecorded: 2 },
    { ...RUNNING_LOOP, lastUnitOfWork: { at: 1, ok: false, error: "disk I/O error" } },
  ];
  for (const loop of unhealthy) {
    const app = await memoryApp({ loopHealth: () => loop });
    try {
      const { status, body } = await getJson(app, "/healthz");
      assert.equal(status, 503, JSON.stringify(loop));
      assert.equal((body as { status: string }).status, "unavailable");
      assert.equal((body as { database: string }).database, "ok");
    } finally {
      await app.close();
    }
  }
});

Deno.test("stats routes answer 503 with the database's own words once the file is gone", async () => {
  // The real server: only it watches its database file.
  const server = await startTestServer({ hashParameters: CHEAP_HASH });
  const getReal = (path: string) => fetch(server.url + path).then(json);
  try {
    const before = await getReal("healthz");
    assert.equal(before.status, 200, "healthy at first");
    assert.equal((before.body as { roundLoop: { running: boolean } }).roundLoop.running, true);
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(server.databasePath + suffix);
    // The server's watch notices within a second or so; a write notices at
    // once, so a registration drives it rather than the test waiting for the
    // watch (the driver's tests cover the watch). Either way /healthz must come to say it.
    const registered = await postJson(server.url + "api/account/register", {
      username: uniqueName(),
      email: `${uniqueName()}@example.com`,
      password: "correct horse battery",
      passwordConfirm: "correct horse battery",
    });
    assert.equal(registered.status, 503, "no registration reaches a deleted file");
    const deadline = Date.now() + 10_000;
    let health = await getReal("healthz");
    while (health.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      health = await getReal("healthz");
    }
    assert.equal(health.status, 503);
    assert.match((health.body as { database: string }).database, /was deleted or replaced/);
    for (const path of ["api/leaderboard", "api/rounds"]) {
      const { status, body } = await getReal(path);
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

const IDENTITY = { serverId: "web-1", version: "1.0.0", mode: "single" as const, uptime: () => 42 };

Deno.test("GET /healthz names the server, its version, mode and uptime when it knows them", async () => {
  const app = await memoryApp({ identity: IDENTITY });
  try {
    const { status, body } = await getJson(app, "/healthz");
    assert.equal(status, 200);
    assert.deepEqual(body, {
      status: "ok",
      serverId: "web-1",
      version: "1.0.0",
      mode: "single",
      uptime: 42,
      database: "ok",
      roundLoop: RUNNING_LOOP,
      online: { players: 0, connections: 0 },
    });
  } finally {
    await app.close();
  }
});

Deno.test("GET /livez answers 200 even when the loop has stopped", async () => {
  const app = await memoryApp({ loopHealth: () => ({ ...RUNNING_LOOP, running: false }) });
  try {
    assert.deepEqual(await getJson(app, "/livez"), { status: 200, body: { status: "ok" } });
    assert.equal((await getJson(app, "/LiveZ")).status, 200, "any case of the path");
  } finally {
    await app.close();
  }
});

Deno.test("GET /readyz answers 200 while one server's database answers, 503 once the loop stops", async () => {
  const app = await memoryApp({ identity: IDENTITY });
  try {
    const { status, body } = await getJson(app, "/ReadyZ");
    assert.equal(status, 200);
    assert.deepEqual(body, {
      status: "ready",
      serverId: "web-1",
      version: "1.0.0",
      mode: "single",
      uptime: 42,
      roundLoop: { running: true },
      checks: { database: "ok" },
    });
  } finally {
    await app.close();
  }
  const stopping = await memoryApp({ loopHealth: () => ({ ...RUNNING_LOOP, running: false }) });
  try {
    const { status, body } = await getJson(stopping, "/readyz");
    assert.equal(status, 503);
    assert.equal((body as { status: string }).status, "unavailable");
  } finally {
    await stopping.close();
  }
});

Deno.test("GET /readyz with several servers: 200 degraded while the database is down, 503 without Redis", async () => {
  let redis = "ok";
  const app = await memoryApp({
    cluster: () => Promise.resolve({ role: "follower", redis, redisLost: null }),
    loopHealth: () => ({ ...RUNNING_LOOP, unrecorded: 1 }),
  });
  // The database goes away for good: every query fails from here on.
  await app.db.destroy();
  const ready = await getJson(app, "/readyz");
  assert.equal(ready.status, 200);
  const body = ready.body as { status: string; checks: { redis: string; postgres: string } };
  assert.equal(body.status, "degraded");
  assert.equal(body.checks.redis, "ok");
  assert.notEqual(body.checks.postgres, "ok");
  assert.equal(
    (await getJson(app, "/healthz")).status,
    503,
    "/healthz still tells the whole truth",
  );
  redis = "Connection is closed.";
  const gone = await getJson(app, "/readyz");
  assert.equal(gone.status, 503);
  assert.equal((gone.body as { status: string }).status, "unavailable");
});
