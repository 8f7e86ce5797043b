import assert from "node:assert/strict";
import { closeSnapshot, GameState } from "../../src/game/game_state.ts";

function game(maxClicksPerSecond = 1000) {
  const state = new GameState({ maxClicksPerSecond });
  state.open(1, 0, 30_000);
  return state;
}

Deno.test("GameState.join() gives two connections of one player the same standing", () => {
  const state = game();
  const tab1 = state.join(7, "ann", 0);
  const tab2 = state.join(7, "ann", 0);
  assert.equal(tab1, tab2);
  state.increment(tab1, 1);
  state.increment(tab2, 2);
  assert.equal(tab1.score, 2);
  assert.equal(tab1.connections, 2, "one player online, on two connections");
});

Deno.test("GameState.leave() keeps the score for a player who comes back in the round", () => {
  const state = game();
  const player = state.join(7, "ann", 0);
  state.increment(player, 1);
  state.leave(player);
  assert.equal(player.connections, 0, "nobody online");
  const back = state.join(7, "ann", 5);
  assert.equal(back.score, 1);
});

Deno.test("GameState.increment() reports clicks dropped by the cap", () => {
  const state = game(2);
  const player = state.join(1, "bot", 0);
  const results = [1, 2, 3].map(() => state.increment(player, 0));
  assert.deepEqual(results.map((r) => r.counted), [true, true, false]);
  assert.deepEqual(results[2], { score: 2, multiplier: 1, multiplierCost: 10, counted: false });
});

Deno.test("GameState.buyMultiplier() changes the standing only when the score pays", () => {
  const state = game();
  const player = state.join(1, "ann", 0);
  assert.equal(state.buyMultiplier(player).ok, false);
  for (let i = 0; i < 12; i++) state.increment(player, i);
  assert.equal(state.buyMultiplier(player).ok, true);
  assert.deepEqual(state.standing(player), {
    score: 2,
    multiplier: 2,
    multiplierCost: 20,
    counted: true,
  });
});

Deno.test("GameState.close() takes the result, resets everyone and opens the next round", () => {
  const state = game();
  const ann = state.join(1, "ann", 0);
  const bob = state.join(2, "bob", 0);
  const cat = state.join(3, "cat", 0);
  for (let i = 0; i < 3; i++) state.increment(ann, i);
  for (let i = 0; i < 3; i++) state.increment(bob, i);
  state.increment(cat, 0);
  const closed = state.close(60_000);
  assert.deepEqual(closed, {
    id: 1,
    startedAt: 0,
    endedAt: 30_000,
    winners: [{ id: 1, username: "ann" }, { id: 2, username: "bob" }],
    nbClicks: 3,
    players: 3,
    standings: [
      { username: "ann", score: 3 },
      { username: "bob", score: 3 },
      { username: "cat", score: 1 },
    ],
    scores: [{ id: 1, score: 3, rank: 1 }, { id: 2, score: 3, rank: 2 }, {
      id: 3,
      score: 1,
      rank: 3,
    }],
  });
  assert.equal(state.roundId, 2);
  assert.equal(state.roundStartedAt, 30_000);
  assert.equal(state.roundEndsAt, 60_000);
  assert.deepEqual([ann.score, ann.multiplier, bob.score, cat.score], [0, 1, 0, 0]);
  // The same objects stay in use: a connection's reference keeps working.
  state.increment(ann, 31_000);
  assert.equal(state.standing(ann).score, 1);
});

Deno.test("GameState.close() forgets players with no connection left", () => {
  const state = game();
  const gone = state.join(1, "gone", 0);
  state.increment(gone, 0);
  state.leave(gone);
  const closed = state.close(60_000);
  assert.deepEqual(closed.winners, [{ id: 1, username: "gone" }]);
  assert.equal(state.join(1, "gone", 0).score, 0);
  assert.notEqual(state.join(1, "gone", 0), gone);
});

Deno.test("GameState.snapshot() and restore() carry a round across a restart", () => {
  const state = game();
  const ann = state.join(1, "ann", 0);
  for (let i = 0; i < 15; i++) state.increment(ann, i);
  state.buyMultiplier(ann);
  state.join(2, "idle", 0);
  const snapshot = state.snapshot();
  assert.deepEqual(snapshot, {
    id: 1,
    startedAt: 0,
    endsAt: 30_000,
    players: [{ id: 1, username: "ann", score: 5, multiplier: 2, reachedAt: 0 }],
  });
  const restored = new GameState();
  restored.restore(snapshot, 10);
  const back = restored.join(1, "ann", 10);
  assert.equal(back.connections, 1, "nobody was online before this join");
  assert.deepEqual([back.score, back.multiplier], [5, 2]);
  assert.equal(restored.roundEndsAt, 30_000);
});

Deno.test("GameState.version grows with every change", () => {
  const state = game();
  const ann = state.join(1, "ann", 0);
  const before = state.version;
  state.increment(ann, 0);
  assert.ok(state.version > before);
});

Deno.test("GameState.reset() forgets players and the round, and takes a new click cap", () => {
  const state = game(1000);
  const ann = state.join(1, "ann", 0);
  state.increment(ann, 0);
  const before = state.version;
  state.reset({ maxClicksPerSecond: 2 });
  assert.equal(state.maxClicksPerSecond, 2);
  assert.deepEqual(state.snapshot(), { id: 1, startedAt: 0, endsAt: 0, players: [] });
  assert.notEqual(state.join(1, "ann", 0), ann);
  assert.ok(state.version > before, "a checkpoint saved before the reset is out of date");
  state.reset();
  assert.equal(state.maxClicksPerSecond, 25);
});

Deno.test("closeSnapshot() finds a saved round's result", () => {
  const closed = closeSnapshot({
    id: 9,
    startedAt: 0,
    endsAt: 500,
    players: [
      { id: 1, username: "a", score: 4, multiplier: 1 },
      { id: 2, username: "b", score: 0, multiplier: 2 },
    ],
  });
  assert.deepEqual(closed, {
    id: 9,
    startedAt: 0,
    endedAt: 500,
    winners: [{ id: 1, username: "a" }],
    nbClicks: 4,
    players: 1,
    standings: [{ username: "a", score: 4 }],
    scores: [{ id: 1, score: 4, rank: 1 }],
  });
});

Deno.test("GameState keeps the race as moves come, ties by who reached the score first", () => {
  const state = game();
  const ann = state.join(1, "ann", 0);
  const bob = state.join(2, "bob", 0);
  state.increment(bob, 10);
  state.increment(ann, 20);
  assert.deepEqual(state.race.top(10), [
    { username: "bob", score: 1 },
    { username: "ann", score: 1 },
  ]);
  state.increment(ann, 30);
  assert.equal(state.race.rankOf(1), 1);
  assert.equal(state.race.rankOf(2), 2);
});

Deno.test("GameState.buyMultiplier() moves the player in the race at the given time", () => {
  const state = game();
  const ann = state.join(1, "ann", 0);
  const bob = state.join(2, "bob", 0);
  for (let t = 1; t <= 10; t++) state.increment(ann, t);
  state.increment(bob, 11);
  assert.equal(state.buyMultiplier(ann, 12).ok, true);
  assert.equal(state.race.rankOf(1), null, "a score spent to 0 leaves the race");
  assert.equal(state.race.rankOf(2), 1);
  state.increment(ann, 13);
  assert.equal(state.race.scoreOf(1), 2);
  assert.equal(state.race.rankOf(1), 1);
});

Deno.test("GameState.close() gives the final standings and every score with its rank", () => {
  const state = game();
  const players = Array.from({ length: 12 }, (_, i) => state.join(i + 1, `p${i + 1}`, 0));
  // Player k clicks k times; "late" reaches 12 after p12 did.
  let t = 0;
  for (const [i, p] of players.entries()) for (let k = 0; k <= i; k++) state.increment(p, ++t);
  const tie = state.join(13, "late", 0);
  for (let k = 0; k < 12; k++) state.increment(tie, ++t);
  const closed = state.close(60_000);
  assert.equal(closed.players, 13);
  assert.deepEqual(closed.standings.slice(0, 3), [
    { username: "p12", score: 12 },
    { username: "late", score: 12 },
    { username: "p11", score: 11 },
  ]);
  assert.equal(closed.standings.length, 10);
  assert.deepEqual(closed.scores[0], { id: 12, score: 12, rank: 1 });
  assert.deepEqual(closed.scores.at(-1), { id: 1, score: 1, rank: 13 });
  assert.equal(state.race.size, 0, "the next round's race starts empty");
});

Deno.test("closeSnapshot() ranks a saved round by when each score was reached", () => {
  const state = game();
  const ann = state.join(1, "ann", 0);
  const bob = state.join(2, "bob", 0);
  state.increment(bob, 5);
  state.increment(ann, 9);
  const saved = state.snapshot();
  assert.deepEqual(saved.players.map((p) => p.reachedAt), [9, 5]);
  const restored = new GameState();
  restored.restore(saved, 10);
  assert.deepEqual(restored.race.top(10).map((p) => p.username), ["bob", "ann"]);
  assert.deepEqual(closeSnapshot(saved).standings, [
    { username: "bob", score: 1 },
    { username: "ann", score: 1 },
  ]);
});
