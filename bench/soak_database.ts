/**
 * The rounds the servers recorded, read once they have stopped, through the
 * project's own database code (`openDatabase` for SQLite, `openPostgres` for
 * the database several servers share): each round's winning score, players
 * and winners, and every player's all-time wins.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database } from "../src/db/schema.ts";
import type { RecordedRound } from "./soak_rounds_check.ts";

/** What the database holds at the end of a soak. */
export interface Recorded {
  readonly rounds: readonly RecordedRound[];
  /** Username → `nb_wins`. */
  readonly wins: ReadonlyMap<string, number>;
  /** Rounds still waiting in a checkpoint (the one in progress at shutdown is expected). */
  readonly checkpoints: number;
}

/** Reads the database `open` opens, and closes it. */
export async function readRecorded(open: () => Promise<Kysely<Database>>): Promise<Recorded> {
  const db = await open();
  try {
    const rows = await db.selectFrom("rounds").select(["id", "nb_clicks", "players"])
      .orderBy("id").execute();
    const winners = await db.selectFrom("round_winners")
      .innerJoin("players", "players.id", "round_winners.player_id")
      .select(["round_winners.round_id as roundId", "players.username as username"])
      .execute();
    const players = await db.selectFrom("players").select(["username", "nb_wins"]).execute();
    const checkpoints = await db.selectFrom("round_checkpoints").select("round_id").execute();
    return {
      rounds: rows.map((row) => ({
        id: row.id,
        nbClicks: row.nb_clicks,
        players: row.players,
        winners: winners.filter((w) => w.roundId === row.id).map((w) => w.username),
      })),
      wins: new Map(players.map((p) => [p.username, p.nb_wins])),
      checkpoints: checkpoints.length,
    };
  } finally {
    await db.destroy();
  }
}
