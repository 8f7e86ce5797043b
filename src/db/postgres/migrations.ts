/**
 * The PostgreSQL schema's migrations, defined in code like SQLite's
 * (`../migrations.ts`) but of their own: PostgreSQL wants identity columns,
 * `bigint` for epoch-ms times (they overflow `integer`), and case-insensitive
 * uniqueness as unique indexes on `lower(…)` where SQLite uses `collate
 * nocase`. The tables and columns are the same, so one Kysely `Database`
 * type and the same queries serve both, and the steps that differ only by
 * column type are shared (`../migration_steps.ts`). Add new ones at the end;
 * never edit an applied one.
 *
 * @module
 */

import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import { type ColumnTypes, createRoundScores, createRoundTables } from "../migration_steps.ts";
import { rekeyUsernames } from "../username_keys.ts";

const TYPES: ColumnTypes = { wide: "bigint" };

const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("players")
        .addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("nb_wins", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        // Nullable, as in SQLite: rows written by other tools may lack it.
        .addColumn("username_key", "text")
        .execute();
      await db.schema.createIndex("players_by_lower_username").on("players").unique()
        .expression(sql`lower(username)`).execute();
      await db.schema.createIndex("players_by_lower_email").on("players").unique()
        .expression(sql`lower(email)`).execute();
      await db.schema.createIndex("players_by_username_key").on("players").unique()
        .column("username_key").execute();
      await db.schema.createIndex("players_by_wins").on("players")
        .columns(["nb_wins desc", "id"]).execute();
      await createRoundTables(db, TYPES);
    },
  },
  // Names of every script: the key now folds by Unicode's confusable skeletons.
  "0002_username_skeleton": { up: rekeyUsernames },
  "0003_round_scores": { up: (db) => createRoundScores(db, TYPES) },
};

/** Hands Kysely's `Migrator` the PostgreSQL migrations above. */
export const postgresMigrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
