/**
 * The queries of `src/db/rounds.ts` and `src/db/settings.ts`, written once
 * and run on each SQL dialect: SQLite (`rounds_test.ts`) and PostgreSQL
 * (`tests/cluster/postgres_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createPlayer, leaderboard, winsOf } from "../../src/db/accounts.ts";
import {
  lastRoundId,
  loadCheckpoints,
  recentRounds,
  recordRound,
  saveCheckpoint,
} from "../../src/db/rounds.ts";
import { settleSetting } from "../../src/db/settings.ts";
import { type QueryDialect, queryTest } from "./query_dialect.ts";

/** Registers the round and setting query tests for `dialect`. */
export function roundQueries(dialect: QueryDialect): void {
  queryTest(
    dialect,
    "recordRound() writes each value of the round to its own column",
    async (db) => {
      const { id: playerId } = await db.insertInto("players").values({
        id: 41,
        username: "ann",
        email: "ann@example.com",
        password_hash: "x",
        created_at: 0,
      }).returning("id").executeTakeFirstOrThrow();
      const standings = [{ id: playerId, username: "ann", score: 3, multiplier: 2 }];
      await recordRound(
        db,
        {
          id: 7,
          startedAt: 1_001,
          endedAt: 1_002,
          winners: [{ id: playerId, username: "ann" }],
          nbClicks: 1_003,
          players: 1_004,
          standings: [],
          scores: [],
        },
        { id: 8, startedAt: 2_001, endsAt: 2_002, players: standings },
      );
      assert.deepEqual({ ...(await db.selectFrom("rounds").selectAll().executeTakeFirst()) }, {
        id: 7,
        started_at: 1_001,
        ended_at: 1_002,
        nb_clicks: 1_003,
        players: 1_004,
      });
      assert.deepEqual(
        (await db.selectFrom("round_winners").selectAll().execute()).map((row) => ({ ...row })),
        [{ round_id: 7, player_id: 41 }],
      );
      const wins = await db.selectFrom("players").select("nb_wins").executeTakeFirstOrThrow();
      assert.equal(wins.nb_wins, 1);
      // The next round's checkpoint is saved as of the end of the recorded one.
      assert.deepEqual(
        (await db.selectFrom("round_checkpoints").selectAll().execute()).map((row) => ({ ...row })),
        [{
          round_id: 8,
          started_at: 2_001,
          ends_at: 2_002,
          standings: JSON.stringify(standings),
          saved_at: 1_002,
        }],
      );
    },
  );

  queryTest(
    dialect,
    "recordRound() records every winner of a tie and adds one win to each, once, with every score",
    async (db) => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const row = await db.insertInto("players").values({
          username: `tie${i}`,
          email: `tie${i}@example.com`,
          password_hash: "x",
          created_at: 0,
        }).returning("id").executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      const round = {
        id: 5,
        startedAt: 1_001,
        endedAt: 1_002,
        winners: ids.slice(0, 2).map((id, i) => ({ id, username: `tie${i}` })),
        nbClicks: 4,
        players: 3,
        standings: [],
        scores: ids.map((id, i) => ({ id, score: i < 2 ? 4 : 3_000_000_000, rank: i + 1 })),
      };
      assert.equal(await recordRound(db, round), true);
      assert.equal(await recordRound(db, { ...round, nbClicks: 9 }), false);
      assert.deepEqual({ ...(await db.selectFrom("rounds").selectAll().executeTakeFirst()) }, {
        id: 5,
        started_at: 1_001,
        ended_at: 1_002,
        nb_clicks: 4,
        players: 3,
      });
      const scores = await db.selectFrom("round_scores").select(["player_id", "score", "rank"])
        .where("round_id", "=", 5).orderBy("rank").execute();
      assert.deepEqual(scores.map((row) => ({ ...row })), [
        { player_id: ids[0], score: 4, rank: 1 },
        { player_id: ids[1], score: 4, rank: 2 },
        { player_id: ids[2], score: 3_000_000_000, rank: 3 },
      ]);
      const winners = await db.selectFrom("round_winners").select(["round_id", "player_id"])
        .orderBy("player_id").execute();
      assert.deepEqual(winners.map((row) => ({ ...row })), [
        { round_id: 5, player_id: ids[0] },
        { round_id: 5, player_id: ids[1] },
      ]);
      const wins = await db.selectFrom("players").select(["id", "nb_wins"]).orderBy("id").execute();
      assert.deepEqual(wins.map((row) => row.nb_wins), [1, 1, 0]);
    },
  );

  queryTest(
    dialect,
    "saveCheckpoint() writes each value to its own column, then replaces it",
    async (db) => {
      await saveCheckpoint(db, { id: 3, startedAt: 10, endsAt: 20, players: [] }, 15);
      const later = { id: 3, startedAt: 11, endsAt: 21, players: [] };
      await saveCheckpoint(db, later, 16);
      const rows = await db.selectFrom("round_checkpoints").selectAll().execute();
      assert.deepEqual(rows.map((row) => ({ ...row })), [
        { round_id: 3, started_at: 11, ends_at: 21, standings: "[]", saved_at: 16 },
      ]);
      assert.deepEqual(await loadCheckpoints(db), [later]);
      // Recording the round drops its checkpoint.
      await recordRound(db, {
        id: 3,
        startedAt: 11,
        endedAt: 21,
        winners: [],
        nbClicks: 0,
        players: 0,
        standings: [],
        scores: [],
      });
      assert.deepEqual(await loadCheckpoints(db), []);
    },
  );

  queryTest(dialect, "recordRound() records a round and its wins once", async (db) => {
    const created = await createPlayer(db, {
      username: "ann",
      email: "ann@example.com",
      passwordHash: "hash",
      createdAt: 1_795_000_000_000,
    });
    assert.ok(created.ok);
    const round = {
      id: 4,
      startedAt: 1_795_000_000_000,
      endedAt: 1_795_000_001_000,
      winners: [{ id: created.id, username: "ann" }],
      nbClicks: 9,
      players: 1,
      standings: [{ username: "ann", score: 9 }],
      scores: [{ id: created.id, score: 9, rank: 1 }],
    };
    assert.equal(await recordRound(db, round), true);
    assert.equal(await recordRound(db, round), false);
    assert.equal(await winsOf(db, created.id), 1);
    assert.deepEqual((await leaderboard(db, 10)).map((row) => ({ ...row })), [{
      username: "ann",
      nbWins: 1,
    }]);
    assert.deepEqual((await recentRounds(db, 10)).map((row) => ({ ...row })), [
      { id: 4, endedAt: 1_795_000_001_000, winners: ["ann"], nbClicks: 9, players: 1 },
    ]);
    assert.equal(await lastRoundId(db), 4);
  });

  queryTest(dialect, "settleSetting() keeps the first value", async (db) => {
    assert.equal(await settleSetting(db, "jwt_secret", "first"), "first");
    assert.equal(await settleSetting(db, "jwt_secret", "second"), "first");
  });
}
