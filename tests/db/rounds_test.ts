import assert from "node:assert/strict";
import { openDatabase } from "../../src/db/open_database.ts";
import { loadCheckpoints, recordRound, saveCheckpoint } from "../../src/db/rounds.ts";

Deno.test("recordRound() writes each value of the round to its own column", async () => {
  const db = await openDatabase(":memory:");
  try {
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
  } finally {
    await db.destroy();
  }
});

Deno.test("saveCheckpoint() writes each value to its own column, then replaces it", async () => {
  const db = await openDatabase(":memory:");
  try {
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
  } finally {
    await db.destroy();
  }
});
