/**
 * What differs between the two databases the queries run on, in one place:
 * SQLite (one server; `open_database.ts`) and PostgreSQL (several servers;
 * `postgres/open_postgres.ts`). Queries are written once with Kysely's
 * builder; the few spots where the dialects part ask here.
 *
 * @module
 */

import { type ExpressionBuilder, type Kysely, PostgresAdapter } from "kysely";
import type { Database } from "./schema.ts";
import { isUniqueError } from "./sqlite_errors.ts";
import { isPostgresUniqueError } from "./postgres/postgres_errors.ts";

/** Whether `db` speaks PostgreSQL (otherwise SQLite), as its Kysely adapter says. */
export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** A text column of `players` compared regardless of case. */
type CaselessColumn = "username" | "email";

/**
 * `column = value` regardless of ASCII case. SQLite's columns are `collate
 * nocase`, so a plain `=` uses their unique index; PostgreSQL's unique
 * indexes are on `lower(column)`, so the comparison is written that way.
 */
export function equalsIgnoringCase(
  db: Kysely<Database>,
  eb: ExpressionBuilder<Database, "players">,
  column: CaselessColumn,
  value: string,
) {
  if (!isPostgres(db)) return eb(column, "=", value);
  return eb(eb.fn("lower", [column]), "=", eb.fn("lower", [eb.val(value)]));
}

/** Whether `error` is either database refusing a row that collides with one already there. */
export function isUniqueViolation(error: unknown): boolean {
  return isUniqueError(error) || isPostgresUniqueError(error);
}
