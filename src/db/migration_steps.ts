/**
 * Migration steps that SQLite's and PostgreSQL's migrations share: the same
 * tables, columns and indexes, built with each dialect's column types. What
 * truly differs (the players table: identity columns and case-insensitive
 * uniqueness) stays in each dialect's own migrations. Applied migrations
 * call these, so what a step creates never changes: a new schema change is a
 * new step.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";

/** The column types a dialect stores wide numbers in. */
export interface ColumnTypes {
  /**
   * Epoch-ms times and counts that may pass 2³¹: `integer` in SQLite (8
   * bytes there), `bigint` in PostgreSQL (where `integer` is 4).
   */
  readonly wide: "integer" | "bigint";
}

/**
 * Creates the tables of the first migration after `players`: rounds, their
 * winners, settings and the checkpoint of the round in play.
 */
export async function createRoundTables(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  const { wide } = types;
  await db.schema
    .createTable("rounds")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("started_at", wide, (c) => c.notNull())
    .addColumn("ended_at", wide, (c) => c.notNull())
    .addColumn("nb_clicks", wide, (c) => c.notNull())
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
    .addColumn("started_at", wide, (c) => c.notNull())
    .addColumn("ends_at", wide, (c) => c.notNull())
    .addColumn("standings", "text", (c) => c.notNull())
    .addColumn("saved_at", wide, (c) => c.notNull())
    .execute();
}

/**
 * Creates `round_scores`, every player's score and place in each round they
 * scored in, written with the round, and the indexes the history reads by.
 */
export async function createRoundScores(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("round_scores")
    .addColumn("round_id", "integer", (c) => c.notNull().references("rounds.id"))
    .addColumn("player_id", "integer", (c) => c.notNull().references("players.id"))
    .addColumn("score", types.wide, (c) => c.notNull())
    .addColumn("rank", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("round_scores_pk", ["round_id", "player_id"])
    .execute();
  // A player's history, newest first.
  await db.schema.createIndex("round_scores_by_player").on("round_scores")
    .columns(["player_id", "round_id desc"]).execute();
  // `GET /api/rounds` lists the rounds somebody played.
  await db.schema.createIndex("rounds_played").on("rounds").column("id")
    .where(sql.ref("players"), ">", 0).execute();
}
