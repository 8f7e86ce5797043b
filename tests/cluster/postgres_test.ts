/**
 * The queries of `src/db/` on PostgreSQL, against a real one: the query
 * suites every dialect passes (`tests/db/*_queries.ts`, migrated by its
 * own migrations), then what only PostgreSQL has: an unreachable server as
 * `DatabaseOpenError`, a connection gone away as `DatabaseUnavailableError`.
 */

import assert from "node:assert/strict";
import { sql } from "kysely";
import { dropPostgres, freshPostgres } from "./services.ts";
import { POSTGRES } from "./postgres_dialect.ts";
import { accountQueries } from "../db/accounts_queries.ts";
import { roundQueries } from "../db/rounds_queries.ts";
import { roundHistoryQueries } from "../db/round_history_queries.ts";
import { openPostgres } from "../../src/db/postgres/open_postgres.ts";
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
