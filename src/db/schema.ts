/**
 * The database's tables as Kysely types: one interface per table.
 *
 * @module
 */

import type { Generated, Selectable } from "kysely";

/** A registered player and their all-time wins. */
export interface PlayersTable {
  id: Generated<number>;
  /** Unique regardless of case. */
  username: string;
  /**
   * The username's look-alike key (`usernameKey`), unique, so no two names read
   * alike; `null` only in rows written without `createPlayer`.
   */
  username_key: string | null;
  /** Unique regardless of case. */
  email: string;
  password_hash: string;
  nb_wins: Generated<number>;
  /** Epoch ms. */
  created_at: number;
}

/** A round that has ended; its id is the round's own, so a round is recorded once. */
export interface RoundsTable {
  id: number;
  started_at: number;
  ended_at: number;
  /** The winning score, 0 when nobody scored. */
  nb_clicks: number;
  /** Players who scored. */
  players: number;
}

/** Who won which round. */
export interface RoundWinnersTable {
  round_id: number;
  player_id: number;
}

/** A player's score and 1-based place in a round they scored in; recorded with the round. */
export interface RoundScoresTable {
  round_id: number;
  player_id: number;
  score: number;
  rank: number;
}

/** Key–value settings, such as the generated token secret. */
export interface SettingsTable {
  key: string;
  value: string;
}

/** A round not yet recorded, with its standings, so a restart can resume or close it. */
export interface RoundCheckpointsTable {
  round_id: number;
  started_at: number;
  ends_at: number;
  /** JSON array of `{id, username, score, multiplier}`. */
  standings: string;
  saved_at: number;
}

/** The whole database. */
export interface Database {
  players: PlayersTable;
  rounds: RoundsTable;
  round_winners: RoundWinnersTable;
  round_scores: RoundScoresTable;
  settings: SettingsTable;
  round_checkpoints: RoundCheckpointsTable;
}

/** A player row as read. */
export type Player = Selectable<PlayersTable>;
