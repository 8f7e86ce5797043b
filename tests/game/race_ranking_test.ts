import assert from "node:assert/strict";
import { compareRacers, RaceRanking, rankRacers } from "../../src/game/race_ranking.ts";

Deno.test("RaceRanking.set() orders by score, best first", () => {
  const race = new RaceRanking();
  race.set(1, "ann", 3, 100);
  race.set(2, "bob", 5, 110);
  race.set(3, "cat", 4, 120);
  assert.deepEqual(race.top(10), [
    { username: "bob", score: 5 },
    { username: "cat", score: 4 },
    { username: "ann", score: 3 },
  ]);
  assert.deepEqual([race.rankOf(2), race.rankOf(3), race.rankOf(1)], [1, 2, 3]);
  assert.equal(race.size, 3);
});

Deno.test("RaceRanking.set() breaks a tie by who reached the score first", () => {
  const race = new RaceRanking();
  race.set(2, "bob", 4, 200);
  race.set(1, "ann", 4, 300);
  assert.deepEqual(race.top(10).map((p) => p.username), ["bob", "ann"]);
  // Ann moves past and Bob catches up later: Ann reached 5 first.
  race.set(1, "ann", 5, 400);
  race.set(2, "bob", 5, 500);
  assert.deepEqual(race.top(10).map((p) => p.username), ["ann", "bob"]);
  assert.equal(race.rankOf(2), 2);
});

Deno.test("RaceRanking.set() keeps the time of an unchanged score", () => {
  const race = new RaceRanking();
  race.set(1, "ann", 4, 100);
  race.set(2, "bob", 4, 200);
  const version = race.version;
  race.set(1, "ann", 4, 900);
  assert.equal(race.version, version);
  assert.equal(race.reachedAt(1), 100);
  assert.equal(race.rankOf(1), 1);
});

Deno.test("RaceRanking.set() drops a player whose score falls to 0", () => {
  const race = new RaceRanking();
  race.set(1, "ann", 10, 100);
  race.set(2, "bob", 3, 100);
  race.set(1, "ann", 0, 200);
  assert.equal(race.rankOf(1), null);
  assert.equal(race.scoreOf(1), 0);
  assert.equal(race.size, 1);
  assert.equal(race.rankOf(2), 1);
  race.set(3, "cat", 0, 300);
  assert.equal(race.size, 1, "a score of 0 never enters");
});

Deno.test("RaceRanking.top() lists at most n and stays the same array until a change", () => {
  const race = new RaceRanking();
  for (let id = 1; id <= 15; id++) race.set(id, `p${id}`, id, 0);
  const top = race.top(10);
  assert.equal(top.length, 10);
  assert.deepEqual(top[0], { username: "p15", score: 15 });
  assert.deepEqual(top[9], { username: "p6", score: 6 });
  assert.equal(race.top(10), top);
  race.set(1, "p1", 100, 5);
  assert.notEqual(race.top(10), top);
  assert.deepEqual(race.top(10)[0], { username: "p1", score: 100 });
  assert.equal(race.rankOf(2), 15);
});

Deno.test("RaceRanking.clear() empties the race", () => {
  const race = new RaceRanking();
  race.set(1, "ann", 2, 0);
  race.clear();
  assert.equal(race.size, 0);
  assert.deepEqual(race.top(10), []);
  assert.equal(race.rankOf(1), null);
});

Deno.test("RaceRanking agrees with a full sort after many moves", () => {
  const race = new RaceRanking();
  const scores = new Map<number, { score: number; at: number }>();
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let t = 0; t < 2_000; t++) {
    const id = 1 + Math.floor(random() * 50);
    const old = scores.get(id)?.score ?? 0;
    const score = random() < 0.1 ? Math.max(0, old - 10) : old + 1 + Math.floor(random() * 3);
    race.set(id, `p${id}`, score, t);
    if (score !== old) scores.set(id, { score, at: t });
  }
  const expected = rankRacers(
    [...scores].map(([id, { score, at }]) => ({ id, username: `p${id}`, score, reachedAt: at })),
  );
  assert.deepEqual(race.racers().map((r) => r.id), expected.map((r) => r.id));
  for (const [i, r] of expected.entries()) assert.equal(race.rankOf(r.id), i + 1);
});

Deno.test("RaceRanking agrees with a full sort after every move, up, down, in and out, ties in one millisecond", () => {
  const race = new RaceRanking();
  const scores = new Map<number, { score: number; at: number }>();
  let seed = 11;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let t = 0; t < 3_000; t++) {
    // Four moves share each millisecond; scores stay small, so many tie.
    const at = Math.floor(t / 4);
    const id = 1 + Math.floor(random() * 40);
    const old = scores.get(id)?.score ?? 0;
    const roll = random();
    const score = roll < 0.15
      ? Math.max(0, old - 1 - Math.floor(random() * 8))
      : roll < 0.2
      ? old
      : old + 1 + Math.floor(random() * 2);
    race.set(id, `p${id}`, score, at);
    if (score !== old) scores.set(id, { score, at });
    const expected = rankRacers(
      [...scores].map(([id, { score, at }]) => ({ id, username: `p${id}`, score, reachedAt: at })),
    );
    assert.deepEqual(race.racers().map((r) => r.id), expected.map((r) => r.id), `move ${t}`);
    assert.equal(race.rankOf(id), score > 0 ? expected.findIndex((r) => r.id === id) + 1 : null);
  }
});

Deno.test("compareRacers() orders by score, then time, then id", () => {
  const a = { id: 1, username: "a", score: 5, reachedAt: 10 };
  assert.ok(compareRacers(a, { ...a, score: 4 }) < 0);
  assert.ok(compareRacers(a, { ...a, reachedAt: 11 }) < 0);
  assert.ok(compareRacers(a, { ...a, id: 2 }) < 0);
  assert.equal(compareRacers(a, { ...a }), 0);
});
