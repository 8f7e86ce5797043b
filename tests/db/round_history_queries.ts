/**
 * The history queries: what rounds and players' histories read back,
 * written once and run on each dialect: SQLite (`round_history_test.ts`)
 * and PostgreSQL (`../cluster/postgres_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import { type QueryDialect, queryTest } from "./query_dialect.ts";
import type { Database } from "../../src/db/schema.ts";
import { createPlayer } from "../../src/db/accounts.ts";
import { recentRounds, recordRound } from "../../src/db/rounds.ts";
import { LAST_ROUNDS, playerHistory } from "../../src/db/player_history.ts";
import type { ClosedRound } from "../../src/game/game_state.ts";

async function players(db: Kysely<Database>, ...names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const username of names) {
    const created = await createPlayer(db, {
      username,
      email: `${username}@example.com`,
      passwordHash: "x",
      createdAt: 1,
    });
    assert.ok(created.ok);
    ids.push(created.id);
  }
  return ids;
}

/** A round ended at `id × 1000` with `scores` (player id → score), ranked in the given order. */
function round(id: number, scores: readonly [number, string, number][]): ClosedRound {
  const top = scores[0]?.[2] ?? 0;
  return {
    id,
    startedAt: id * 1000 - 500,
    endedAt: id * 1000,
    winners: scores.filter(([, , s]) => s === top).map(([pid, username]) => ({
      id: pid,
      username,
    })),
    nbClicks: top,
    players: scores.length,
    standings: scores.slice(0, 10).map(([, username, score]) => ({ username, score })),
    scores: scores.map(([pid, , score], i) => ({ id: pid, score, rank: i + 1 })),
  };
}

/** Registers the history queries' tests for `dialect`. */
export function roundHistoryQueries(dialect: QueryDialect): void {
  queryTest(dialect, "recordRound() writes each player's score and rank once", async (db) => {
    const [ann, bob] = await players(db, "ann", "bob");
    const played = round(5, [[bob, "bob", 40], [ann, "ann", 12]]);
    assert.equal(await recordRound(db, played), true);
    assert.equal(await recordRound(db, played), false);
    const rows = await db.selectFrom("round_scores").selectAll().orderBy("rank").execute();
    assert.deepEqual(rows.map((r) => ({ ...r, score: Number(r.score) })), [
      { round_id: 5, player_id: bob, score: 40, rank: 1 },
      { round_id: 5, player_id: ann, score: 12, rank: 2 },
    ]);
  });

  queryTest(dialect, "recordRound() writes the scores of a round of thousands", async (db) => {
    const ids = await players(db, ...Array.from({ length: 1_200 }, (_, i) => `p${i}`));
    const scores = ids.map((id, i) => [id, `p${i}`, 5_000 - i] as [number, string, number]);
    await recordRound(db, round(1, scores));
    const { count } = await db.selectFrom("round_scores")
      .select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow();
    assert.equal(Number(count), 1_200);
  });

  queryTest(
    dialect,
    "recentRounds() lists played rounds by default, all on request, and pages",
    async (db) => {
      const [ann] = await players(db, "ann");
      for (let id = 1; id <= 6; id++) {
        await recordRound(db, round(id, id % 2 === 0 ? [[ann, "ann", id]] : []));
      }
      const ids = (rounds: { id: number }[]) => rounds.map((r) => r.id);
      assert.deepEqual(ids(await recentRounds(db, 10)), [6, 4, 2]);
      assert.deepEqual(ids(await recentRounds(db, 10, { all: true })), [6, 5, 4, 3, 2, 1]);
      assert.deepEqual(ids(await recentRounds(db, 2, { before: 6 })), [4, 2]);
      assert.deepEqual(ids(await recentRounds(db, 2, { before: 4, all: true })), [3, 2]);
      assert.deepEqual(ids(await recentRounds(db, 10, { before: 2 })), []);
    },
  );

  queryTest(
    dialect,
    "playerHistory() gives wins, rounds played, best score and the last rounds",
    async (db) => {
      const [ann, bob] = await players(db, "Ann", "bob");
      await recordRound(db, round(1, [[ann, "Ann", 30], [bob, "bob", 20]]));
      await recordRound(db, round(2, [[bob, "bob", 50], [ann, "Ann", 45]]));
      await recordRound(db, round(3, [[bob, "bob", 7]]));
      for (let id = 4; id < 4 + LAST_ROUNDS; id++) {
        await recordRound(db, round(id, [[ann, "Ann", id]]));
      }
      const history = await playerHistory(db, "aNN");
      assert.ok(history);
      assert.equal(history.username, "Ann");
      assert.equal(history.nbWins, 1 + LAST_ROUNDS);
      assert.equal(history.roundsPlayed, 2 + LAST_ROUNDS);
      assert.equal(history.bestScore, 45);
      assert.equal(history.lastRounds.length, LAST_ROUNDS);
      assert.deepEqual(history.lastRounds[0], {
        roundId: 3 + LAST_ROUNDS,
        endedAt: (3 + LAST_ROUNDS) * 1000,
        score: 3 + LAST_ROUNDS,
        rank: 1,
        won: true,
      });
      const bobs = await playerHistory(db, "BOB");
      assert.deepEqual(bobs, {
        username: "bob",
        nbWins: 2,
        roundsPlayed: 3,
        bestScore: 50,
        lastRounds: [
          { roundId: 3, endedAt: 3000, score: 7, rank: 1, won: true },
          { roundId: 2, endedAt: 2000, score: 50, rank: 1, won: true },
          { roundId: 1, endedAt: 1000, score: 20, rank: 2, won: false },
        ],
      });
      assert.equal(await playerHistory(db, "nobody"), undefined);
    },
  );

  queryTest(
    dialect,
    "playerHistory() of a player who never scored is empty, not missing",
    async (db) => {
      await players(db, "idle");
      assert.deepEqual(await playerHistory(db, "idle"), {
        username: "idle",
        nbWins: 0,
        roundsPlayed: 0,
        bestScore: 0,
        lastRounds: [],
      });
    },
  );
}
