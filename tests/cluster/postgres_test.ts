/**
 * The queries of `src/db/` on PostgreSQL, against a real one: its own
 * migrations, the same uniqueness rules as SQLite, rounds recorded once,
 * times as numbers, and an unreachable server as `DatabaseUnavailableError`.
 */

import assert from "node:assert/strict";
import { type Kysely, sql } from "kysely";
import { dropPostgres, freshPostgres } from "./services.ts";
import { openPostgres } from "../../src/db/postgres/open_postgres.ts";
import type { Database } from "../../src/db/schema.ts";
import {
  createPlayer,
  findPlayerByUsername,
  findTaken,
  leaderboard,
  winsOf,
} from "../../src/db/accounts.ts";
import { lastRoundId, recentRounds, recordRound } from "../../src/db/rounds.ts";
import { settleSetting } from "../../src/db/settings.ts";
import { DatabaseUnavailableError } from "../../src/db/sqlite_errors.ts";
import { DatabaseOpenError } from "../../src/db/open_database.ts";

async function withPostgres(fn: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const url = await freshPostgres("pg_queries");
  const db = await openPostgres(url, { logError: () => {} });
  try {
    await fn(db);
  } finally {
    await db.destroy();
    await dropPostgres(url);
  }
}

const player = (username: string, email: string) => ({
  username,
  email,
  passwordHash: "hash",
  createdAt: 1_795_000_000_000,
});

Deno.test("createPlayer() on PostgreSQL refuses names and emails taken in any case or look-alike", async () => {
  await withPostgres(async (db) => {
    assert.deepEqual(await createPlayer(db, player("Alice", "Alice@Example.com")), {
      ok: true,
      id: 1,
    });
    assert.deepEqual(await createPlayer(db, player("ALICE", "b@example.com")), {
      ok: false,
      taken: "username",
    });
    assert.deepEqual(await createPlayer(db, player("a1ice", "c@example.com")), {
      ok: false,
      taken: "username",
    });
    assert.deepEqual(await createPlayer(db, player("bob", "alice@example.COM")), {
      ok: false,
      taken: "email",
    });
    assert.equal(await findTaken(db, { username: "x_y", email: "ALICE@example.com" }), "email");
    const found = await findPlayerByUsername(db, "aLiCe");
    assert.equal(found?.username, "Alice");
    assert.equal(found?.created_at, 1_795_000_000_000, "bigint comes back as a number");
  });
});

Deno.test("recordRound() on PostgreSQL records a round and its wins once", async () => {
  await withPostgres(async (db) => {
    await createPlayer(db, player("ann", "ann@example.com"));
    const round = {
      id: 4,
      startedAt: 1_795_000_000_000,
      endedAt: 1_795_000_001_000,
      winners: [{ id: 1, username: "ann" }],
      nbClicks: 9,
      players: 1,
      standings: [{ username: "ann", score: 9 }],
      scores: [{ id: 1, score: 9, rank: 1 }],
    };
    assert.equal(await recordRound(db, round), true);
    assert.equal(await recordRound(db, round), false);
    assert.equal(await winsOf(db, 1), 1);
    assert.deepEqual(await leaderboard(db, 10), [{ username: "ann", nbWins: 1 }]);
    assert.deepEqual(await recentRounds(db, 10), [
      { id: 4, endedAt: 1_795_000_001_000, winners: ["ann"], nbClicks: 9, players: 1 },
    ]);
    assert.equal(await lastRoundId(db), 4);
  });
});

Deno.test("settleSetting() on PostgreSQL keeps the first value", async () => {
  await withPostgres(async (db) => {
    assert.equal(await settleSetting(db, "jwt_secret", "first"), "first");
    assert.equal(await settleSetting(db, "jwt_secret", "second"), "first");
  });
});

Deno.test("openPostgres() refuses an unreachable server with DatabaseOpenError", async () => {
  await assert.rejects(
    openPostgres("postgres://clicker@127.0.0.1:1/none", { connectTimeoutMs: 500 }),
    DatabaseOpenError,
  );
});

Deno.test("a query on PostgreSQL gone away fails as DatabaseUnavailableError", async () => {
  const url = await freshPostgres("pg_gone");
  const db = await openPostgres(url, { logError: () => {} });
  try {
    // The connection ends under the query, as when the server restarts.
    await assert.rejects(
      sql`select pg_terminate_backend(pg_backend_pid())`.execute(db),
      (error: unknown) => error instanceof DatabaseUnavailableError,
    );
  } finally {
    await db.destroy();
    await dropPostgres(url);
  }
});
