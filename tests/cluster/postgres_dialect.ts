/**
 * PostgreSQL as a dialect of the query suites (`tests/db/query_dialect.ts`):
 * a fresh database per test on the run's PostgreSQL, dropped after.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import { quietLog } from "../../src/log/problem_log.ts";
import { openPostgres } from "../../src/db/postgres/open_postgres.ts";
import type { QueryDialect } from "../db/query_dialect.ts";
import { dropPostgres, freshPostgres } from "./services.ts";

/** PostgreSQL, migrated as `DATABASE_URL` opens it. */
export const POSTGRES: QueryDialect = Object.freeze({
  name: "PostgreSQL",
  async open() {
    const url = await freshPostgres("pg_queries");
    const db = await openPostgres(url, { log: quietLog });
    return {
      db,
      async close() {
        await db.destroy();
        await dropPostgres(url);
      },
    };
  },
  async refusePlayers(db: Kysely<Database>) {
    await sql`create function refuse_players() returns trigger language plpgsql
      as $$ begin raise exception 'closed'; end $$`.execute(db);
    await sql`create trigger closed before insert on players
      for each row execute function refuse_players()`.execute(db);
  },
});
