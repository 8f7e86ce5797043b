/**
 * The schema's migrations, defined in code so a compiled binary carries them.
 * Add new ones at the end with the next number; never edit an applied one.
 *
 * @module
 */

import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import { type ColumnTypes, createRoundScores, createRoundTables } from "./migration_steps.ts";
import { rekeyUsernames } from "./username_keys.ts";

// SQLite's integer holds 8 bytes.
const TYPES: ColumnTypes = { wide: "integer" };

const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("players")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("username", "text", (c) => c.notNull().unique().modifyEnd(sql`collate nocase`))
        .addColumn("email", "text", (c) => c.notNull().unique().modifyEnd(sql`collate nocase`))
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("nb_wins", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("players_by_wins")
        .on("players")
        .columns(["nb_wins desc", "id"])
        .execute();
      await createRoundTables(db, TYPES);
    },
  },
  "0002_username_key": {
    async up(db: Kysely<unknown>) {
      // Nullable: rows written by other tools without a key stay valid (SQLite's
      // unique index lets NULLs repeat); createPlayer always sets it.
      await db.schema.alterTable("players").addColumn("username_key", "text").execute();
      // Two existing players whose names read alike both keep their accounts:
      // the later one's key is made unique, so only new look-alikes are refused.
      await rekeyUsernames(db);
      await db.schema
        .createIndex("players_by_username_key")
        .on("players")
        .column("username_key")
        .unique()
        .execute();
    },
  },
  // Names of every script: the key now folds by Unicode's confusable skeletons.
  "0003_username_skeleton": { up: rekeyUsernames },
  "0004_round_scores": { up: (db) => createRoundScores(db, TYPES) },
};

/** Hands Kysely's `Migrator` the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
