/**
 * The schema's migrations, defined in code so a compiled binary carries them.
 * Add new ones at the end with the next number; never edit an applied one.
 *
 * @module
 */

import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import { rekeyUsernames } from "./username_keys.ts";

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
      await db.schema
        .createTable("rounds")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("started_at", "integer", (c) => c.notNull())
        .addColumn("ended_at", "integer", (c) => c.notNull())
        .addColumn("nb_clicks", "integer", (c) => c.notNull())
        .addColumn("players", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("round_winners")
        .addColumn("round_id", "integer", (c) => c.notNull().references("rounds.id"))
        .addColumn("player_id", "integer", (c) => c.notNull().references("players.id"))
        .addPrimaryKeyConstraint("round_winners_pk", ["round_id", "player_id"])
        .execute();
      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("round_checkpoints")
        .addColumn("round_id", "integer", (c) => c.primaryKey())
        .addColumn("started_at", "integer", (c) => c.notNull())
        .addColumn("ends_at", "integer", (c) => c.notNull())
        .addColumn("standings", "text", (c) => c.notNull())
        .addColumn("saved_at", "integer", (c) => c.notNull())
        .execute();
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
  "0003_username_skeleton": {
    async up(db: Kysely<unknown>) {
      await rekeyUsernames(db);
    },
  },
  "0004_round_scores": {
    async up(db: Kysely<unknown>) {
      // Every player's score and place in each round they scored in, written with the round.
      await db.schema
        .createTable("round_scores")
        .addColumn("round_id", "integer", (c) => c.notNull().references("rounds.id"))
        .addColumn("player_id", "integer", (c) => c.notNull().references("players.id"))
        .addColumn("score", "integer", (c) => c.notNull())
        .addColumn("rank", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("round_scores_pk", ["round_id", "player_id"])
        .execute();
      // A player's history, newest first.
      await db.schema.createIndex("round_scores_by_player").on("round_scores")
        .columns(["player_id", "round_id desc"]).execute();
      // `GET /api/rounds` lists the rounds somebody played.
      await db.schema.createIndex("rounds_played").on("rounds").column("id")
        .where(sql.ref("players"), ">", 0).execute();
    },
  },
};

/** Hands Kysely's `Migrator` the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
