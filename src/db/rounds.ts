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

import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ClosedRound, RoundSnapshot, SavedStanding } from "../game/game_state.ts";
import type { LastRound } from "../hub/wire.ts";
import type {
  Database,
  PlayersTable,
  RoundCheckpointsTable,
  RoundsTable,
  RoundWinnersTable,
} from "./schema.ts";
import { compileNamed, type NamedStatement, runNamed } from "./named_statement.ts";
import { isPostgres } from "./dialect.ts";
import { recordRoundAtOnce } from "./postgres/record_round_at_once.ts";

/** A recorded round as the API shows it. */
export interface RoundView {
  readonly id: number;
  readonly endedAt: number;
  readonly winners: string[];
  readonly nbClicks: number;
  readonly players: number;
}

/**
 * The tick's statements, compiled once per database: the tick runs too
 * rarely for the query builder's code to get hot, so building the queries
 * anew each time would cost more than running them.
 */
interface TickStatements {
  readonly insertRound: NamedStatement<Insertable<RoundsTable>>;
  readonly insertWinner: NamedStatement<Insertable<RoundWinnersTable>>;
  readonly addWin: NamedStatement<Pick<Selectable<PlayersTable>, "id">>;
  readonly deleteCheckpoint: NamedStatement<Pick<Selectable<RoundCheckpointsTable>, "round_id">>;
  readonly upsertCheckpoint: NamedStatement<Insertable<RoundCheckpointsTable>>;
}

const compiled = new WeakMap<Kysely<Database>, TickStatements>();

function tickStatements(db: Kysely<Database>): TickStatements {
  let statements = compiled.get(db);
  if (statements) return statements;
  // Each sample value marks its column's parameters, so they must all differ.
  statements = {
    insertRound: compileNamed<Insertable<RoundsTable>>(
      { id: 1, started_at: 2, ended_at: 3, nb_clicks: 4, players: 5 },
      (row) => db.insertInto("rounds").values(row).onConflict((oc) => oc.column("id").doNothing()),
    ),
    insertWinner: compileNamed<Insertable<RoundWinnersTable>>(
      { round_id: 1, player_id: 2 },
      (row) => db.insertInto("round_winners").values(row),
    ),
    addWin: compileNamed<Pick<Selectable<PlayersTable>, "id">>(
      { id: 1 },
      (row) =>
        db.updateTable("players").set({ nb_wins: sql`nb_wins + 1` }).where("id", "=", row.id),
    ),
    deleteCheckpoint: compileNamed<Pick<Selectable<RoundCheckpointsTable>, "round_id">>(
      { round_id: 1 },
      (row) => db.deleteFrom("round_checkpoints").where("round_id", "=", row.round_id),
    ),
    upsertCheckpoint: compileNamed<Insertable<RoundCheckpointsTable>>(
      { round_id: 1, started_at: 2, ends_at: 3, standings: "4", saved_at: 5 },
      (row) =>
        db.insertInto("round_checkpoints").values(row).onConflict((oc) =>
          oc.column("round_id").doUpdateSet((eb) => ({
            started_at: eb.ref("excluded.started_at"),
            ends_at: eb.ref("excluded.ends_at"),
            standings: eb.ref("excluded.standings"),
            saved_at: eb.ref("excluded.saved_at"),
          }))
        ),
    ),
  };
  compiled.set(db, statements);
  return statements;
}

/**
 * The tick's unit of work, in one transaction: records the closed round and
 * its winners, adds a win to each (only when the round was not already
 * recorded), drops its checkpoint and saves the next round's. Returns whether
 * this call recorded the round. On PostgreSQL with no checkpoint to save
 * (several servers keep none), the same work is one statement.
 */
export async function recordRound(
  db: Kysely<Database>,
  round: ClosedRound,
  next?: RoundSnapshot,
): Promise<boolean> {
  if (next === undefined && isPostgres(db)) return await recordRoundAtOnce(db, round);
  const q = tickStatements(db);
  return await db.transaction().execute(async (trx) => {
    const inserted = await runNamed(trx, q.insertRound, {
      id: round.id,
      started_at: round.startedAt,
      ended_at: round.endedAt,
      nb_clicks: round.nbClicks,
      players: round.players,
    });
    const recorded = Number(inserted.numAffectedRows ?? 0n) === 1;
    if (recorded) {
      await addWins(trx, q, round);
      await insertScores(trx, round);
    }
    await runNamed(trx, q.deleteCheckpoint, { round_id: round.id });
    if (next) await writeCheckpoint(trx, q, next, round.endedAt);
    return recorded;
  });
}

/** Winners one statement records, and adds a win to, when several tie. */
const WINNERS_PER_STATEMENT = 500;

/**
 * Records each winner of `round` and adds a win to each: a lone winner with
 * the compiled statements, a tie a few hundred winners per statement, so a
 * round where many tie costs a few round trips to the database, not two
 * per winner.
 */
async function addWins(
  trx: Transaction<Database>,
  q: TickStatements,
  round: ClosedRound,
): Promise<void> {
  const { winners } = round;
  if (winners.length === 1) {
    await runNamed(trx, q.insertWinner, { round_id: round.id, player_id: winners[0].id });
    await runNamed(trx, q.addWin, { id: winners[0].id });
    return;
  }
  for (let i = 0; i < winners.length; i += WINNERS_PER_STATEMENT) {
    const ids = winners.slice(i, i + WINNERS_PER_STATEMENT).map((winner) => winner.id);
    await trx.insertInto("round_winners")
      .values(ids.map((id) => ({ round_id: round.id, player_id: id }))).execute();
    await trx.updateTable("players").set({ nb_wins: sql`nb_wins + 1` }).where("id", "in", ids)
      .execute();
  }
}

/** Rows of `round_scores` one statement inserts (4 parameters each, far below either limit). */
const SCORES_PER_INSERT = 500;

/** Every scoring player's score and rank in `round`, a few hundred rows per statement. */
async function insertScores(trx: Transaction<Database>, round: ClosedRound): Promise<void> {
  for (let i = 0; i < round.scores.length; i += SCORES_PER_INSERT) {
    const rows = round.scores.slice(i, i + SCORES_PER_INSERT).map(({ id, score, rank }) => ({
      round_id: round.id,
      player_id: id,
      score,
      rank,
    }));
    await trx.insertInto("round_scores").values(rows).execute();
  }
}

/** Saves the standings of the round in progress (one small transaction). */
export async function saveCheckpoint(
  db: Kysely<Database>,
  snapshot: RoundSnapshot,
  nowMs: number,
): Promise<void> {
  const q = tickStatements(db);
  await db.transaction().execute((trx) => writeCheckpoint(trx, q, snapshot, nowMs));
}

async function writeCheckpoint(
  trx: Transaction<Database>,
  q: TickStatements,
  snapshot: RoundSnapshot,
  nowMs: number,
): Promise<void> {
  await runNamed(trx, q.upsertCheckpoint, {
    round_id: snapshot.id,
    started_at: snapshot.startedAt,
    ends_at: snapshot.endsAt,
    standings: JSON.stringify(snapshot.players),
    saved_at: nowMs,
  });
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

/** Which rounds {@linkcode recentRounds} lists. */
export interface RecentRoundsOptions {
  /** Also rounds nobody scored in (default false). */
  readonly all?: boolean;
  /** Only rounds with a lower id: the next page (default: from the newest). */
  readonly before?: number;
}

/** The most recent rounds, newest first, with their winners' names. */
export async function recentRounds(
  db: Kysely<Database>,
  limit: number,
  options: RecentRoundsOptions = {},
): Promise<RoundView[]> {
  let query = db.selectFrom("rounds").selectAll();
  if (!options.all) query = query.where("players", ">", 0);
  if (options.before !== undefined) query = query.where("id", "<", options.before);
  const rounds = await query.orderBy("id", "desc").limit(limit).execute();
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

/** The last round recorded, as `GameInfo.lastRound` tells it; null before any. */
export async function lastRecordedRound(db: Kysely<Database>): Promise<LastRound | null> {
  const [recorded] = await recentRounds(db, 1, { all: true });
  return recorded === undefined
    ? null
    : { roundId: recorded.id, winners: recorded.winners, nbClicks: recorded.nbClicks };
}
