/**
 * PostgreSQL's migrations on a database that already has players: the
 * rekeying by confusable skeletons keeps every account.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Kysely, Migrator, PostgresDialect, type PostgresPool } from "kysely";
// @ts-types="../../src/db/postgres/pg_types.d.ts"
import pg from "pg";
import { dropPostgres, freshPostgres } from "./services.ts";
import { openPostgres } from "../../src/db/postgres/open_postgres.ts";
import { postgresMigrationProvider } from "../../src/db/postgres/migrations.ts";
import type { Database } from "../../src/db/schema.ts";
import { checkRekeyed, insertOldPlayers } from "../db/username_rekey_suite.ts";
import { quietLog } from "../../src/log/problem_log.ts";

Deno.test("0002_username_skeleton on PostgreSQL rekeys players; look-alikes already there keep their accounts", async () => {
  const url = await freshPostgres("pg_rekey");
  try {
    // The database as the server before this migration left it.
    const old = new Kysely<Database>({
      // Only plain queries run here, so pg's pool serves as Kysely's without the cursor form.
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: url, max: 1 }) as unknown as PostgresPool,
      }),
    });
    try {
      const migrator = new Migrator({ db: old, provider: postgresMigrationProvider });
      assert.equal((await migrator.migrateTo("0001_initial")).error, undefined);
      await insertOldPlayers(old);
    } finally {
      await old.destroy();
    }
    const db = await openPostgres(url, { log: quietLog });
    try {
      await checkRekeyed(db);
    } finally {
      await db.destroy();
    }
  } finally {
    await dropPostgres(url);
  }
});
