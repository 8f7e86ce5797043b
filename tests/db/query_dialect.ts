/**
 * A database the query suites (`*_queries.ts`) run against: SQLite here,
 * PostgreSQL in `tests/cluster/postgres_dialect.ts`. Each suite is written
 * once and run by one small test file per dialect.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import { openDatabase } from "../../src/db/open_database.ts";

/** One SQL dialect the queries of `src/db/` run on. */
export interface QueryDialect {
  /** Its name in test names. */
  readonly name: string;
  /** Opens a new, empty database with every table; `close()` removes what it made. */
  open(): Promise<{ readonly db: Kysely<Database>; close(): Promise<void> }>;
  /** Makes every insert into `players` fail with the message `closed`. */
  refusePlayers(db: Kysely<Database>): Promise<void>;
}

/** SQLite in memory, as `DATABASE_PATH=:memory:` opens it. */
export const SQLITE: QueryDialect = Object.freeze({
  name: "SQLite",
  async open() {
    const db = await openDatabase(":memory:");
    return { db, close: () => db.destroy() };
  },
  async refusePlayers(db: Kysely<Database>) {
    await sql`create trigger closed before insert on players begin select raise(abort, 'closed'); end`
      .execute(db);
  },
});

/** Runs `fn` with a fresh database of `dialect`, closed and removed after. */
export async function withDatabase(
  dialect: QueryDialect,
  fn: (db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const { db, close } = await dialect.open();
  try {
    await fn(db);
  } finally {
    await close();
  }
}

/** Registers one test of a query suite for `dialect`, with a fresh database. */
export function queryTest(
  dialect: QueryDialect,
  name: string,
  fn: (db: Kysely<Database>) => Promise<void>,
): void {
  Deno.test(`${dialect.name}: ${name}`, () => withDatabase(dialect, fn));
}
