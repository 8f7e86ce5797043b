/**
 * The PostgreSQL schema's migrations, defined in code like SQLite's
 * (`../migrations.ts`) but of their own: PostgreSQL wants identity columns,
 * `bigint` for epoch-ms times (they overflow `integer`), and case-insensitive
 * uniqueness as unique indexes on `lower(…)` where SQLite uses `collate
 * nocase`. The tables and columns are the same, so one Kysely `Database`
 * type and the same queries serve both. Add new ones at the end; never edit
 * an applied one.
 *
 * @module
 */

import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import { rekeyUsernames } from "../username_keys.ts";

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
      await db.schema
        .createTable("rounds")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("ended_at", "bigint", (c) => c.notNull())
        .addColumn("nb_clicks", "bigint", (c) => c.notNull())
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
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("ends_at", "bigint", (c) => c.notNull())
        .addColumn("standings", "text", (c) => c.notNull())
        .addColumn("saved_at", "bigint", (c) => c.notNull())
        .execute();
    },
  },
  // Names of every script: the key now folds by Unicode's confusable skeletons.
  "0002_username_skeleton": {
    async up(db: Kysely<unknown>) {
      await rekeyUsernames(db);
    },
  },
  "0003_round_scores": {
    async up(db: Kysely<unknown>) {
      // Every player's score and place in each round they scored in, written with the round.
      await db.schema
        .createTable("round_scores")
        .addColumn("round_id", "integer", (c) => c.notNull().references("rounds.id"))
        .addColumn("player_id", "integer", (c) => c.notNull().references("players.id"))
        .addColumn("score", "bigint", (c) => c.notNull())
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

/** Hands Kysely's `Migrator` the PostgreSQL migrations above. */
export const postgresMigrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
