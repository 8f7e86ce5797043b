/**
 * A player's history for `GET /api/players/{username}`: all-time wins, the
 * rounds they scored in, their best score and their last rounds with score
 * and place, read from `round_scores` (written with each round).
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { PlayerHistory } from "../hub/wire.ts";
import type { Database } from "./schema.ts";
import { equalsIgnoringCase } from "./dialect.ts";

/** How many of the player's last rounds the history lists. */
export const LAST_ROUNDS = 10;

/** The history of the player named `username` (any case); `undefined` for an unknown player. */
export async function playerHistory(
  db: Kysely<Database>,
  username: string,
): Promise<PlayerHistory | undefined> {
  const player = await db.selectFrom("players")
    .select(["id", "username", "nb_wins"])
    .where((eb) => equalsIgnoringCase(db, eb, "username", username))
    .executeTakeFirst();
  if (player === undefined) return undefined;
  const totals = await db.selectFrom("round_scores")
    .select((eb) => [
      eb.fn.countAll().as("played"),
      eb.fn.max("score").as("best"),
    ])
    .where("player_id", "=", player.id)
    .executeTakeFirstOrThrow();
  const last = await db.selectFrom("round_scores")
    .innerJoin("rounds", "rounds.id", "round_scores.round_id")
    .leftJoin(
      "round_winners",
      (join) =>
        join.onRef("round_winners.round_id", "=", "round_scores.round_id")
          .onRef("round_winners.player_id", "=", "round_scores.player_id"),
    )
    .select([
      "round_scores.round_id as roundId",
      "rounds.ended_at as endedAt",
      "round_scores.score as score",
      "round_scores.rank as rank",
      "round_winners.player_id as winner",
    ])
    .where("round_scores.player_id", "=", player.id)
    .orderBy("round_scores.round_id", "desc")
    .limit(LAST_ROUNDS)
    .execute();
  return {
    username: player.username,
    nbWins: player.nb_wins,
    roundsPlayed: Number(totals.played),
    bestScore: Number(totals.best ?? 0),
    lastRounds: last.map((row) => ({
      roundId: row.roundId,
      endedAt: Number(row.endedAt),
      score: Number(row.score),
      rank: row.rank,
      won: row.winner !== null,
    })),
  };
}
