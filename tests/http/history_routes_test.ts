/**
 * `GET /api/rounds` with `all` and `before`, and `GET /api/players/{username}`,
 * called in memory on a real SQLite database.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createPlayer } from "../../src/db/accounts.ts";
import { recordRound } from "../../src/db/rounds.ts";
import { parseAll, parseBefore } from "../../src/http/stats_routes.ts";
import type { PlayerHistory, RoundsPage } from "../../src/hub/wire.ts";
import { memoryApp } from "./memory_app.ts";

Deno.test("parseBefore() and parseAll() take what the routes document, and 400 otherwise", () => {
  assert.equal(parseBefore(undefined), undefined);
  assert.equal(parseBefore("12"), 12);
  for (const bad of ["0", "-1", "1.5", "x", "99999999999999999999"]) {
    assert.throws(() => parseBefore(bad), (e: { status?: number }) => e.status === 400, bad);
  }
  assert.deepEqual(["true", "1", "false", "0", undefined].map(parseAll), [
    true,
    true,
    false,
    false,
    false,
  ]);
  assert.throws(() => parseAll("yes"), (e: { status?: number }) => e.status === 400);
});

Deno.test("history routes", async (t) => {
  const app = await memoryApp();
  try {
    const created = await createPlayer(app.db, {
      username: "Zoë",
      email: "zoe@example.com",
      passwordHash: "x",
      createdAt: 1,
    });
    assert.ok(created.ok);
    const zoe = { id: created.id, username: "Zoë" };
    for (let id = 1; id <= 5; id++) {
      const played = id !== 3;
      await recordRound(app.db, {
        id,
        startedAt: id * 1000 - 500,
        endedAt: id * 1000,
        winners: played ? [zoe] : [],
        nbClicks: played ? id : 0,
        players: played ? 1 : 0,
        standings: played ? [{ username: zoe.username, score: id }] : [],
        scores: played ? [{ id: zoe.id, score: id, rank: 1 }] : [],
      });
    }

    await t.step(
      "GET /api/rounds skips empty rounds unless ?all=true, and pages with before",
      async () => {
        const ids = async (path: string) => {
          const response = await app.request(path);
          assert.equal(response.status, 200);
          return ((await response.json()) as RoundsPage).map((r) => r.id);
        };
        assert.deepEqual(await ids("/api/rounds"), [5, 4, 2, 1]);
        assert.deepEqual(await ids("/api/rounds?all=true"), [5, 4, 3, 2, 1]);
        assert.deepEqual(await ids("/api/rounds?limit=2&before=4"), [2, 1]);
        assert.deepEqual(await ids("/API/Rounds?all=true&before=4&limit=1"), [3]);
        const bad = await app.request("/api/rounds?before=soon");
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { message: string }).message, /before/);
      },
    );

    await t.step("GET /api/players/{username} gives the player's history in any case", async () => {
      for (const name of ["Zo%C3%AB", "zo%C3%AB"]) {
        const response = await app.request(`/api/Players/${name}`);
        assert.equal(response.status, 200, name);
        const history = (await response.json()) as PlayerHistory;
        assert.equal(history.username, "Zoë");
        assert.equal(history.nbWins, 4);
        assert.equal(history.roundsPlayed, 4);
        assert.equal(history.bestScore, 5);
        assert.deepEqual(history.lastRounds.map((r) => r.roundId), [5, 4, 2, 1]);
        assert.deepEqual(history.lastRounds[0], {
          roundId: 5,
          endedAt: 5000,
          score: 5,
          rank: 1,
          won: true,
        });
      }
    });

    await t.step(
      "GET /api/players/{username} answers 404 with a message for an unknown player",
      async () => {
        const response = await app.request("/api/players/nobody");
        assert.equal(response.status, 404);
        assert.deepEqual(await response.json(), { message: "Player 'nobody' not found" });
      },
    );
  } finally {
    await app.close();
  }
});
