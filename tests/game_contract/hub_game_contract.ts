/**
 * The game's contract, written once against the narrowest seam the hub uses
 * (`HubGame`, plus the close of a round as each backend does it) and run by
 * one small test file per implementation: the game in this process and the
 * one in Redis. Every expected number comes from `src/game/rules.ts`, so a
 * change of the rule there is either carried by every backend or fails
 * this suite for the one that drifts.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { HubGame } from "../../src/hub/hub_game.ts";
import {
  buyMultiplier,
  increment,
  multiplierCost,
  roundWinners,
  type Standing,
  START,
} from "../../src/game/rules.ts";
import { bucketShape } from "../../src/game/click_limit.ts";
import type { MoveResult } from "../../src/game/game_state.ts";
import type { RaceView } from "../../src/hub/race_watch.ts";
import type { RaceEntry } from "../../src/hub/wire.ts";

/** A player known to the backend (the game in this process records winners by id). */
export interface ContractPlayer {
  readonly id: number;
  readonly username: string;
}

/** What a round's close said, as `EndRound` tells it. */
export interface ClosedRoundView {
  readonly roundId: number;
  readonly winners: readonly string[];
  readonly nbClicks: number;
}

/** One backend's game, as the suite drives it. */
export interface GameUnderTest {
  readonly game: HubGame;
  /** A new player the backend knows. */
  player(username: string): Promise<ContractPlayer>;
  /** The time moves are made at (epoch ms), as the hub would pass it. */
  now(): number;
  /** Moves the clock the click cap reads on by `ms`. */
  advance(ms: number): Promise<void>;
  /** Ends the round in progress as the backend does; resolves once it is announced. */
  closeRound(): Promise<ClosedRoundView>;
  /** The final standings of the round `closeRound()` closed last, as `EndRound` tells them. */
  lastStandings(): readonly RaceEntry[];
  /** The race as the hub reads it, with the places of the `watching` players. */
  race(watching: readonly number[]): Promise<RaceView>;
  /** Resolves once a move made now is reached later than every move made before. */
  later(): Promise<void>;
  /** Stops and releases whatever the backend holds. */
  dispose(): Promise<void>;
}

/** Options a backend is built with. */
export interface GameOptions {
  readonly maxClicksPerSecond: number;
}

/** Builds a fresh backend for one test. */
export type GameFactory = (options: GameOptions) => Promise<GameUnderTest>;

/** A cap no test of moves reaches. */
const UNCAPPED = 1_000_000;

/** Sends `n` clicks in one turn; resolves with their results in order. */
function clicks(t: GameUnderTest, player: ReturnType<HubGame["join"]>, n: number) {
  const now = t.now();
  return Promise.all(Array.from({ length: n }, () => t.game.increment(player, now)));
}

/** Registers every contract test for the backend `name` builds with `factory`. */
export function describeHubGame(name: string, factory: GameFactory): void {
  function contract(
    title: string,
    options: GameOptions,
    fn: (t: GameUnderTest) => Promise<void>,
  ): void {
    Deno.test(
      { name: `${name}: ${title}`, sanitizeOps: false, sanitizeResources: false },
      async () => {
        const t = await factory(options);
        try {
          await fn(t);
        } finally {
          await t.dispose();
        }
      },
    );
  }

  contract("a click adds the multiplier, as increment() says", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const ann = await t.player("ann");
    const player = t.game.join(ann.id, ann.username, t.now());
    assert.deepEqual(t.game.standing(player), standingOf(START));
    let expected: Standing = START;
    for (const result of await clicks(t, player, 5)) {
      expected = increment(expected);
      assert.deepEqual(result, standingOf(expected));
    }
  });

  contract("the click cap counts a full bucket, then refills with time", {
    maxClicksPerSecond: 2,
  }, async (t) => {
    const { capacity, refillPerSecond } = bucketShape(2);
    const ann = await t.player("ann");
    const player = t.game.join(ann.id, ann.username, t.now());
    const burst = await clicks(t, player, capacity + 3);
    assert.deepEqual(burst.map((r) => r.counted), [
      ...Array(capacity).fill(true),
      ...Array(3).fill(false),
    ]);
    // A refused click changes nothing.
    assert.equal(burst.at(-1)!.score, burst[capacity - 1].score);
    // One click's worth of time: one more click counts.
    await t.advance(1000 / refillPerSecond);
    assert.deepEqual((await clicks(t, player, 3)).map((r) => r.counted), [true, false, false]);
    // Long idle: a full bucket again, never more.
    await t.advance(10_000);
    const refilled = await clicks(t, player, capacity + 2);
    assert.equal(refilled.filter((r) => r.counted).length, capacity);
  });

  contract("purchases cost multiplierCost() for multipliers up to 2^10, bought for real", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const ann = await t.player("ann");
    const player = t.game.join(ann.id, ann.username, t.now());
    let expected: Standing = START;
    let bought = 0;
    while (expected.multiplier <= 2 ** 10) {
      const cost = multiplierCost(expected.multiplier);
      // Short of the cost by one click: refused, with the reason and the cost.
      const short = Math.ceil((cost - expected.score) / expected.multiplier) - 1;
      if (short > 0) await clicks(t, player, short);
      for (let i = 0; i < short; i++) expected = increment(expected);
      assert.deepEqual(await t.game.buyMultiplier(player), {
        ok: false,
        reason: "score-too-low",
        cost,
      });
      await clicks(t, player, 1);
      expected = increment(expected);
      const purchase = buyMultiplier(expected);
      assert.ok(purchase.ok);
      expected = purchase.standing;
      assert.deepEqual(await t.game.buyMultiplier(player), purchase, `buy #${++bought}`);
    }
    assert.ok(bought >= 11, `${bought} purchases`);
    const [after] = await clicks(t, player, 1);
    assert.deepEqual(after, standingOf(increment(expected)));
  });

  contract("a player's connections share one standing, kept when they all close", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const ann = await t.player("ann");
    const tab1 = t.game.join(ann.id, ann.username, t.now());
    const tab2 = t.game.join(ann.id, ann.username, t.now());
    await clicks(t, tab1, 2);
    const [seen] = await clicks(t, tab2, 1);
    assert.equal(seen.score, 3 * START.multiplier);
    t.game.leave(tab1);
    const [kept] = await clicks(t, tab2, 1);
    assert.equal(kept.score, 4 * START.multiplier);
    t.game.leave(tab2);
    await t.game.prepare?.(ann.id);
    const back = t.game.join(ann.id, ann.username, t.now());
    const [again] = await clicks(t, back, 1);
    assert.equal(again.score, 5 * START.multiplier, "the standing outlives the connections");
  });

  contract("a round closes with its top scorer as winner, then everyone starts again", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const [ann, bob] = [await t.player("ann"), await t.player("bob")];
    const a = t.game.join(ann.id, ann.username, t.now());
    const b = t.game.join(bob.id, bob.username, t.now());
    const roundId = t.game.roundId;
    // Enough to buy once, and some left.
    const affordable = Math.ceil(multiplierCost(START.multiplier) / START.multiplier) + 2;
    await clicks(t, a, affordable);
    assert.ok((await t.game.buyMultiplier(a)).ok);
    const [annAfter] = await clicks(t, a, 1);
    const [bobScore] = (await clicks(t, b, 3)).slice(-1).map((r) => r.score);
    const expected = roundWinners([
      { username: ann.username, score: annAfter.score },
      { username: bob.username, score: bobScore },
    ]);
    const closed = await t.closeRound();
    assert.deepEqual(closed, {
      roundId,
      winners: expected.winners.map((w) => w.username),
      nbClicks: expected.nbClicks,
    });
    assert.equal(t.game.roundId, roundId + 1);
    // Scores and multipliers are back at the start.
    const [first] = await clicks(t, a, 1);
    assert.deepEqual(first, standingOf(increment(START)));
    assert.deepEqual(await t.game.buyMultiplier(b), {
      ok: false,
      reason: "score-too-low",
      cost: multiplierCost(START.multiplier),
    });
  });

  contract("tied top scorers all win", { maxClicksPerSecond: UNCAPPED }, async (t) => {
    const players = [await t.player("ann"), await t.player("bob"), await t.player("cat")];
    const joined = players.map((p) => t.game.join(p.id, p.username, t.now()));
    const scores = [4, 4, 2];
    const final: { username: string; score: number }[] = [];
    for (const [i, player] of joined.entries()) {
      const results = await clicks(t, player, scores[i]);
      final.push({ username: players[i].username, score: results.at(-1)!.score });
    }
    const expected = roundWinners(final);
    assert.equal(expected.winners.length, 2);
    const closed = await t.closeRound();
    assert.deepEqual([...closed.winners].sort(), expected.winners.map((w) => w.username).sort());
    assert.equal(closed.nbClicks, expected.nbClicks);
  });

  contract("an empty round has no winner and nbClicks 0", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const ann = await t.player("ann");
    t.game.join(ann.id, ann.username, t.now());
    const roundId = t.game.roundId;
    const expected = roundWinners<{ score: number }>([{ score: START.score }]);
    assert.deepEqual(await t.closeRound(), {
      roundId,
      winners: [],
      nbClicks: expected.nbClicks,
    });
    assert.equal(expected.nbClicks, 0);
  });

  contract("the race: best first, ties to who reached the score first, as the round ends", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const [ann, bob, cat] = [await t.player("ann"), await t.player("bob"), await t.player("cat")];
    const joined = [ann, bob, cat].map((p) => t.game.join(p.id, p.username, t.now()));
    const ids = [ann.id, bob.id, cat.id];
    assert.equal((await t.race(ids)).size, 0);
    // Ann reaches 1, then Bob; Cat reaches 2.
    await clicks(t, joined[0], 1);
    await t.later();
    await clicks(t, joined[1], 1);
    await t.later();
    await clicks(t, joined[2], 2);
    let race = await t.race(ids);
    assert.deepEqual(race.top(10), [
      { username: "cat", score: 2 },
      { username: "ann", score: 1 },
      { username: "bob", score: 1 },
    ]);
    assert.equal(race.size, 3);
    assert.deepEqual(ids.map((id) => race.rankOf(id)), [2, 3, 1]);
    // Bob reaches 2 after Cat did: second, ahead of Ann.
    await t.later();
    await clicks(t, joined[1], 1);
    race = await t.race(ids);
    assert.deepEqual(race.top(2), [{ username: "cat", score: 2 }, { username: "bob", score: 2 }]);
    assert.deepEqual(ids.map((id) => [race.rankOf(id), race.scoreOf(id)]), [[3, 1], [2, 2], [
      1,
      2,
    ]]);
    const top = [...race.top(10)];
    await t.closeRound();
    assert.deepEqual(t.lastStandings(), top);
    assert.equal((await t.race(ids)).size, 0, "the next round's race starts empty");
  });

  contract("a click racing the close counts in exactly one round", {
    maxClicksPerSecond: UNCAPPED,
  }, async (t) => {
    const ann = await t.player("ann");
    const a = t.game.join(ann.id, ann.username, t.now());
    const racing = t.game.increment(a, t.now());
    const closed = await t.closeRound();
    const raced = await racing;
    assert.equal(raced.counted, true);
    const [next] = await clicks(t, a, 1);
    const inClosed = closed.nbClicks === increment(START).score &&
      closed.winners.length === 1 && closed.winners[0] === ann.username;
    const inNext = next.score === increment(increment(START)).score;
    assert.ok(inClosed !== inNext, `closed ${JSON.stringify(closed)}, next ${next.score}`);
    if (!inClosed) assert.deepEqual(closed.winners, []);
  });
}

/** What a player is told of `standing` after a counted move. */
function standingOf(standing: Standing): MoveResult {
  return {
    score: standing.score,
    multiplier: standing.multiplier,
    multiplierCost: multiplierCost(standing.multiplier),
    counted: true,
  };
}
