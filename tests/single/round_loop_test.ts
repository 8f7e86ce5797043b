import assert from "node:assert/strict";
import { type Kysely, sql } from "kysely";
import { RoundLoop, UnsavedRoundsError } from "../../src/single/round_loop.ts";
import { openDatabase } from "../../src/db/open_database.ts";
import type { Database } from "../../src/db/schema.ts";
import { loadCheckpoints, recordRound } from "../../src/db/rounds.ts";
import { player, setUpRoundLoop, startWithAnn } from "./round_loop_setup.ts";

Deno.test("RoundLoop ends rounds on the grid even when each unit of work is slow", async () => {
  const { time, db, loop, ended, deps } = await setUpRoundLoop({ slowWriteMs: 40 });
  await loop.start(deps);
  const start = loop.game.roundEndsAt - 500;
  for (let i = 0; i < 10; i++) await time.advance(500);
  await loop.stop();
  await db.destroy();
  assert.ok(ended.length >= 9, `${ended.length} rounds ended`);
  ended.forEach((e, i) => {
    assert.equal(e.roundId, i + 1);
    assert.equal(e.nextRoundEndsAt, start + (i + 2) * 500);
    assert.ok(e.at >= start + (i + 1) * 500);
  });
  // Waits shrink to make up for the slow writes instead of adding up.
  assert.ok(time.waits.some((w) => w < 500 && w > 0), String(time.waits));
});

Deno.test("RoundLoop announces the winners, records them and resets the round", async () => {
  const { time, db, loop, ended, deps } = await setUpRoundLoop();
  const ann = await player(db, "ann");
  const bob = await player(db, "bob");
  await loop.start(deps);
  const a = loop.game.join(ann, "ann", time.now);
  const b = loop.game.join(bob, "bob", time.now);
  for (let i = 0; i < 3; i++) loop.game.increment(a, time.now);
  loop.game.increment(b, time.now);
  await time.advance(500);
  assert.deepEqual(
    ended.map(({ winners, nbClicks, roundId }) => ({ winners, nbClicks, roundId })),
    [
      { winners: ["ann"], nbClicks: 3, roundId: 1 },
    ],
  );
  assert.equal(a.score, 0);
  const wins = await db.selectFrom("players").select(["username", "nb_wins"]).orderBy("id")
    .execute();
  assert.deepEqual(wins.map((row) => ({ ...row })), [{ username: "ann", nb_wins: 1 }, {
    username: "bob",
    nb_wins: 0,
  }]);
  await loop.stop();
  await db.destroy();
});

Deno.test("RoundLoop.stop() ends a wait at once and saves the round in progress", async () => {
  const { time, db, loop, ann, a } = await startWithAnn();
  loop.game.increment(a, time.now);
  await time.advance(100);
  assert.ok(time.pending > 0);
  await loop.stop();
  assert.equal(time.pending, 0);
  assert.equal(loop.running, false);
  const saved = await loadCheckpoints(db);
  assert.deepEqual(saved.map((s) => s.players), [[{
    id: ann,
    username: "ann",
    score: 1,
    multiplier: 1,
    reachedAt: 1_000_000,
  }]]);
  await loop.stop();
  await db.destroy();
});

Deno.test("RoundLoop resumes a saved round still running, and closes one whose deadline passed", async () => {
  const { time, db, loop, ended, deps, ann, a } = await startWithAnn();
  loop.game.increment(a, time.now);
  loop.game.increment(a, time.now);
  await time.advance(100);
  await loop.stop();

  // Back before the deadline: same round, same score.
  const again = new RoundLoop();
  await again.start(deps);
  assert.equal(again.game.roundId, 1);
  assert.equal(again.game.join(ann, "ann", time.now).score, 2);
  await again.stop();

  // Back after the deadline: the saved round is recorded once, play goes on.
  time.now += 10_000;
  const late = new RoundLoop();
  await late.start(deps);
  assert.equal(late.game.roundId, 2);
  await late.stop();
  const late2 = new RoundLoop();
  await late2.start(deps);
  await late2.stop();
  const rounds = await db.selectFrom("rounds").selectAll().execute();
  assert.deepEqual(rounds.map((r) => [r.id, r.nb_clicks]), [[1, 2]]);
  const row = await db.selectFrom("players").select("nb_wins").executeTakeFirstOrThrow();
  assert.equal(row.nb_wins, 1);
  assert.equal(ended.length, 0);
  await db.destroy();
});

Deno.test("RoundLoop.start() resets its one game rather than replacing it", async () => {
  const { time, db, loop, deps } = await setUpRoundLoop();
  const game = loop.game;
  await loop.start({ ...deps, maxClicksPerSecond: 3 });
  const ann = game.join(1, "ann", time.now);
  await loop.stop();
  await loop.start(deps);
  assert.equal(loop.game, game);
  assert.equal(game.maxClicksPerSecond, 25);
  assert.notEqual(game.join(1, "ann", time.now), ann, "players are forgotten");
  await loop.stop();
  await db.destroy();
});

/** Makes every insert into `rounds` fail, as a full disk would. */
async function failRecords(db: Kysely<Database>): Promise<void> {
  await sql`create trigger fail before insert on rounds begin select raise(abort, 'disk full'); end`
    .execute(db);
}

async function healRecords(db: Kysely<Database>): Promise<void> {
  await sql`drop trigger fail`.execute(db);
}

Deno.test("RoundLoop announces a round only once it is recorded; meanwhile play goes on", async () => {
  const { time, db, loop, ended, errors, a } = await startWithAnn();
  loop.game.increment(a, time.now);
  await failRecords(db);
  await time.advance(500);
  assert.equal(ended.length, 0, "no EndRound for a round the database doesn't hold");
  assert.equal(loop.health().unrecorded, 1);
  assert.equal(loop.health().lastUnitOfWork?.ok, false);
  assert.match(errors.lines.join("\n"), /disk full/);
  // The next round is under way, in memory.
  assert.equal(loop.game.roundId, 2);
  loop.game.increment(a, time.now);
  loop.game.increment(a, time.now);
  await time.advance(500);
  assert.equal(ended.length, 0);
  assert.equal(loop.health().unrecorded, 2);

  await healRecords(db);
  await time.advance(1_000);
  assert.equal(loop.health().unrecorded, 0);
  assert.equal(loop.health().lastUnitOfWork?.ok, true);
  // Every held round goes out, in order, with what the database holds, and
  // the deadline of the round in progress when it was sent.
  assert.deepEqual(
    ended.slice(0, 2).map(({ roundId, winners, nbClicks }) => ({
      roundId,
      winners,
      nbClicks,
    })),
    [
      { roundId: 1, winners: ["ann"], nbClicks: 1 },
      { roundId: 2, winners: ["ann"], nbClicks: 2 },
    ],
  );
  assert.deepEqual(ended.map((e) => e.roundId), ended.map((_, i) => i + 1));
  for (const e of ended) {
    assert.ok(e.nextRoundEndsAt > e.at && e.nextRoundEndsAt <= e.at + 500, JSON.stringify(e));
  }
  const rounds = await db.selectFrom("rounds").select(["id", "nb_clicks"]).orderBy("id").execute();
  assert.deepEqual(
    rounds.map((r) => [r.id, r.nb_clicks]),
    ended.map((e) => [e.roundId, e.nbClicks]),
  );
  const row = await db.selectFrom("players").select("nb_wins").executeTakeFirstOrThrow();
  assert.equal(row.nb_wins, 2);
  await loop.stop();
  await db.destroy();
});

Deno.test("RoundLoop.stop() throws UnsavedRoundsError saying how many rounds and why", async () => {
  const { time, db, loop, ended, a } = await startWithAnn();
  loop.game.increment(a, time.now);
  await failRecords(db);
  await time.advance(500);
  let closed = false;
  await assert.rejects(() => loop.stop({ beforeSave: () => closed = true }), (error) => {
    assert.ok(error instanceof UnsavedRoundsError);
    assert.equal(error.unrecorded, 1);
    assert.match(error.message, /1 ended round not recorded.*: disk full/);
    return true;
  });
  assert.ok(closed);
  assert.equal(loop.running, false);
  assert.equal(ended.length, 0);
  // Nothing was announced, so a restart may close the round from its checkpoint.
  assert.deepEqual((await loadCheckpoints(db)).map((c) => c.id), [1]);
  await db.destroy();
});

Deno.test("RoundLoop.stop() records held rounds without announcing them: the sockets are closed", async () => {
  const { time, db, loop, ended, a } = await startWithAnn();
  loop.game.increment(a, time.now);
  await failRecords(db);
  await time.advance(500);
  // The write works again, but the loop would retry only at its next
  // checkpoint: the stop's save is what records the round.
  await healRecords(db);
  await loop.stop();
  assert.equal(ended.length, 0);
  const rounds = await db.selectFrom("rounds").select("id").execute();
  assert.deepEqual(rounds.map((r) => r.id), [1]);
  await db.destroy();
});

Deno.test("RoundLoop closes the next round on time while a write is still waiting", async () => {
  const { time, db, loop, ended, deps } = await setUpRoundLoop();
  // Holds every query while set, as a lock held by another process would.
  let hold: Promise<void> | undefined;
  const held = db.withPlugin({
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      await hold;
      return args.result;
    },
  });
  await loop.start({ ...deps, db: held });
  const { promise, resolve: release } = Promise.withResolvers<void>();
  hold = promise;
  await time.advance(500);
  await time.advance(500);
  assert.equal(loop.game.roundId, 3, "rounds close on their deadlines");
  assert.equal(loop.health().unrecorded, 2);
  assert.equal(ended.length, 0);
  hold = undefined;
  release();
  await time.advance(0);
  assert.deepEqual(ended.map((e) => e.roundId), [1, 2]);
  await loop.stop();
  await db.destroy();
});

Deno.test("recordRound() records a round and counts its wins only once", async () => {
  const db = await openDatabase(":memory:");
  const ann = await player(db, "ann");
  const round = {
    id: 7,
    startedAt: 0,
    endedAt: 500,
    winners: [{ id: ann, username: "ann" }],
    nbClicks: 9,
    players: 1,
    standings: [],
    scores: [],
  };
  assert.equal(await recordRound(db, round), true);
  assert.equal(await recordRound(db, round), false);
  const row = await db.selectFrom("players").select("nb_wins").executeTakeFirstOrThrow();
  assert.equal(row.nb_wins, 1);
  const winners = await db.selectFrom("round_winners").selectAll().execute();
  assert.equal(winners.length, 1);
  await db.destroy();
});

Deno.test("recordRound() runs as one transaction", async () => {
  const statements: string[] = [];
  const db = await openDatabase(":memory:", {
    queryLog: (event) => {
      statements.push(
        /^(begin|commit|insert into "\w+"|delete from "\w+"|update "\w+")/.exec(event.query.sql)
          ?.[0] ?? event.query.sql,
      );
    },
  });
  const ann = await player(db, "ann");
  statements.length = 0;
  await recordRound(db, {
    id: 1,
    startedAt: 0,
    endedAt: 500,
    winners: [{ id: ann, username: "ann" }],
    nbClicks: 1,
    players: 1,
    standings: [],
    scores: [],
  }, { id: 2, startedAt: 500, endsAt: 1000, players: [] });
  assert.deepEqual(statements, [
    "begin",
    'insert into "rounds"',
    'insert into "round_winners"',
    'update "players"',
    'delete from "round_checkpoints"',
    'insert into "round_checkpoints"',
    "commit",
  ]);
  await db.destroy();
});
