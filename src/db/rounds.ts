/**
 * Recorded rounds and checkpoints of rounds in progress.
 *
 * A round is recorded under its own id, so recording it again changes
 * nothing: not the round, not a win. The checkpoint of a round lives until
 * the round is recorded, in the same transaction, so a crash at any moment
 * leaves either the checkpoint or the record, never neither and never both
 * counted.
 *
 * @module
 */

import type { Kysely, Transaction } from "kysely";
import type { ClosedRound, RoundSnapshot, SavedStanding } from "../game/game_state.ts";
import type { Database } from "./schema.ts";

/** A recorded round as the API shows it. */
export interface RoundView {
  readonly id: number;
  readonly endedAt: number;
  readonly winners: string[];
  readonly nbClicks: number;
  readonly players: number;
}

/**
 * The tick's unit of work, in one transaction: records the closed round and
 * its winners, adds a win to each (only when the round was not already
 * recorded), drops its checkpoint and saves the next round's. Returns whether
 * this call recorded the round.
 */
export async function recordRound(
  db: Kysely<Database>,
  round: ClosedRound,
  next?: RoundSnapshot,
): Promise<boolean> {
  return await db.transaction().execute(async (trx) => {
    const inserted = await trx.insertInto("rounds").values({
      id: round.id,
      started_at: round.startedAt,
      ended_at: round.endedAt,
      nb_clicks: round.nbClicks,
      players: round.players,
    }).onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
    const recorded = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    if (recorded && round.winners.length > 0) {
      const ids = round.winners.map((w) => w.id);
      await trx.insertInto("round_winners")
        .values(ids.map((player_id) => ({ round_id: round.id, player_id })))
        .execute();
      await trx.updateTable("players").set((eb) => ({ nb_wins: eb("nb_wins", "+", 1) }))
        .where("id", "in", ids).execute();
    }
    await trx.deleteFrom("round_checkpoints").where("round_id", "=", round.id).execute();
    if (next) await writeCheckpoint(trx, next, round.endedAt);
    return recorded;
  });
}

/** Saves the standings of the round in progress (one small transaction). */
export async function saveCheckpoint(
  db: Kysely<Database>,
  snapshot: RoundSnapshot,
  nowMs: number,
): Promise<void> {
  await db.transaction().execute((trx) => writeCheckpoint(trx, snapshot, nowMs));
}

async function writeCheckpoint(
  trx: Transaction<Database>,
  snapshot: RoundSnapshot,
  nowMs: number,
): Promise<void> {
  const row = {
    round_id: snapshot.id,
    started_at: snapshot.startedAt,
    ends_at: snapshot.endsAt,
    standings: JSON.stringify(snapshot.players),
    saved_at: nowMs,
  };
  await trx.insertInto("round_checkpoints").values(row)
    .onConflict((oc) => oc.column("round_id").doUpdateSet(row)).execute();
}

/** Rounds saved but not recorded, oldest first. */
export async function loadCheckpoints(db: Kysely<Database>): Promise<RoundSnapshot[]> {
  const rows = await db.selectFrom("round_checkpoints").selectAll().orderBy("round_id").execute();
  return rows.map((row) => ({
    id: row.round_id,
    startedAt: row.started_at,
    endsAt: row.ends_at,
    players: JSON.parse(row.standings) as SavedStanding[],
  }));
}

/** The highest round id the database knows, recorded or saved; 0 for none. */
export async function lastRoundId(db: Kysely<Database>): Promise<number> {
  const row = await db.selectNoFrom((eb) => [
    eb.selectFrom("rounds").select((e) => e.fn.max("id").as("m")).as("recorded"),
    eb.selectFrom("round_checkpoints").select((e) => e.fn.max("round_id").as("m")).as("saved"),
  ]).executeTakeFirstOrThrow();
  return Math.max(Number(row.recorded ?? 0), Number(row.saved ?? 0));
}

/** The most recent rounds, newest first, with their winners' names. */
export async function recentRounds(db: Kysely<Database>, limit: number): Promise<RoundView[]> {
  const rounds = await db.selectFrom("rounds").selectAll().orderBy("id", "desc").limit(limit)
    .execute();
  if (rounds.length === 0) return [];
  const winners = await db.selectFrom("round_winners")
    .innerJoin("players", "players.id", "round_winners.player_id")
    .select(["round_winners.round_id as roundId", "players.username"])
    .where("round_winners.round_id", "in", rounds.map((r) => r.id))
    .orderBy("players.username").execute();
  return rounds.map((r) => ({
    id: r.id,
    endedAt: r.ended_at,
    winners: winners.filter((w) => w.roundId === r.id).map((w) => w.username),
    nbClicks: r.nb_clicks,
    players: r.players,
  }));
}
