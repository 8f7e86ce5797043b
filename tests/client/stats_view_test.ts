import assert from "node:assert/strict";
import { playedRounds, rankLeaders } from "../../static/src/stats_view.ts";

Deno.test("rankLeaders() gives players with as many wins the same rank", () => {
  const ranked = rankLeaders([
    { username: "ann", nbWins: 5 },
    { username: "bob", nbWins: 5 },
    { username: "cy", nbWins: 3 },
    { username: "dee", nbWins: 1 },
    { username: "eve", nbWins: 1 },
  ]);
  assert.deepEqual(ranked.map((entry) => entry.rank), [1, 1, 3, 4, 4]);
  assert.deepEqual(rankLeaders([]), []);
});

Deno.test("playedRounds() leaves out rounds nobody played and counts them", () => {
  const round = (id: number, players: number) => ({
    id,
    endedAt: id * 1000,
    winners: players > 0 ? ["ann"] : [],
    nbClicks: players,
    players,
  });
  const rounds = [round(9, 0), round(8, 2), round(7, 0), round(6, 0), round(5, 1), round(4, 1)];
  const { shown, skipped } = playedRounds(rounds, 2);
  assert.deepEqual(shown.map((r) => r.id), [8, 5]);
  assert.equal(skipped, 3);
  assert.deepEqual(playedRounds([round(3, 0)], 5), { shown: [], skipped: 1 });
});
