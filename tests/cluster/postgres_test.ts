/**
 * The queries of `src/db/` on PostgreSQL, against a real one: the query
 * suites every dialect passes (`tests/db/*_queries.ts`, migrated by its
 * own migrations), then what only PostgreSQL has: an unreachable server as
 * `DatabaseOpenError`, a connection gone away as `DatabaseUnavailableError`,
 * the record of a round prepared once per connection.
 */

import assert from "node:assert/strict";
import { sql } from "kysely";
import { adminQuery, dropPostgres, freshPostgres } from "./services.ts";
import { waitFor } from "./cluster_support.ts";
import { POSTGRES } from "./postgres_dialect.ts";
import { accountQueries } from "../db/accounts_queries.ts";
import { roundQueries } from "../db/rounds_queries.ts";
import { roundHistoryQueries } from "../db/round_history_queries.ts";
import { openPostgres } from "../../src/db/postgres/open_postgres.ts";
import { recordRoundAtOnce } from "../../src/db/postgres/record_round_at_once.ts";
import { DatabaseUnavailableError } from "../../src/db/sqlite_errors.ts";
import { DatabaseOpenError } from "../../src/db/open_database.ts";
import { quietLog } from "../../src/log/problem_log.ts";

accountQueries(POSTGRES);
roundQueries(POSTGRES);
roundHistoryQueries(POSTGRES);

Deno.test("openPostgres() refuses an unreachable server with DatabaseOpenError", async () => {
  await assert.rejects(
    openPostgres("postgres://clicker@127.0.0.1:1/none", { connectTimeoutMs: 500 }),
    DatabaseOpenError,
  );
});

Deno.test("a query on PostgreSQL gone away fails as DatabaseUnavailableError", async () => {
  const url = await freshPostgres("pg_gone");
  const db = await openPostgres(url, { log: quietLog });
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

Deno.test("recordRoundAtOnce() is prepared once per connection, then run again by name", async () => {
  const url = await freshPostgres("pg_prepared");
  // One connection: every statement below runs on it.
  const db = await openPostgres(url, { log: quietLog, maxConnections: 1 });
  try {
    await db.insertInto("players").values({
      id: 41,
      username: "ann",
      email: "ann@example.com",
      password_hash: "x",
      created_at: 0,
    }).execute();
    const round = (id: number) => ({
      id,
      startedAt: 1000 * id,
      endedAt: 1000 * (id + 1),
      winners: [{ id: 41, username: "ann" }],
      nbClicks: id,
      players: 1,
      standings: [],
      scores: [{ id: 41, score: id, rank: 1 }],
    });
    assert.equal(await recordRoundAtOnce(db, round(1)), true);
    assert.equal(await recordRoundAtOnce(db, round(2)), true);
    assert.equal(await recordRoundAtOnce(db, round(1)), false);
    const { rows: prepared } = await sql<{ name: string }>`
      select name from pg_prepared_statements`.execute(db);
    assert.deepEqual(prepared.map((row) => row.name), ["record_round"]);
    const { rows: recorded } = await sql<{ id: number; nb_wins: number }>`
      select r.id, p.nb_wins from rounds r, players p order by r.id`.execute(db);
    assert.deepEqual(recorded, [{ id: 1, nb_wins: 2 }, { id: 2, nb_wins: 2 }]);
  } finally {
    await db.destroy();
    await dropPostgres(url);
  }
});

Deno.test("openPostgres() closes a connection idle for idleTimeoutMs", async () => {
  const url = await freshPostgres("pg_idle");
  const db = await openPostgres(url, { log: quietLog, idleTimeoutMs: 100 });
  try {
    const open = async () =>
      (await adminQuery<{ n: number }>(
        url,
        "select count(*)::integer as n from pg_stat_activity " +
          "where application_name = 'clicker' and datname = current_database()",
      ))[0].n;
    await sql`select 1`.execute(db);
    await waitFor("the idle connection closed", async () => await open() === 0);
  } finally {
    await db.destroy();
    await dropPostgres(url);
  }
});
