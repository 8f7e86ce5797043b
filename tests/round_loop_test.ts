import assert from "node:assert/strict";
import { type Kysely, sql } from "kysely";
import { type EndRound, RoundLoop, sleep } from "../src/round_loop.ts";
import { openDatabase } from "../src/db/open_database.ts";
import type { Database } from "../src/db/schema.ts";
import { createPlayer } from "../src/db/accounts.ts";
import { loadCheckpoints, recordRound } from "../src/db/rounds.ts";
import { FakeTime } from "./support/fake_time.ts";

async function setup(options: { slowWriteMs?: number; start?: number } = {}) {
  const time = new FakeTime(options.start ?? 1_000_000);
  const db: Kysely<Database> = await openDatabase(":memory:", {
    // Each query "takes" slowWriteMs of the fake clock, as a slow disk would.
    log: () => {
      time.now += options.slowWriteMs ?? 0;
    },
  });
  const ended: (EndRound & { at: number })[] = [];
  const loop = new RoundLoop();
  const errors: string[] = [];
  const deps = {
    db,
    broadcast: (e: EndRound) => ended.push({ ...e, at: time.now }),
    roundDurationMs: 500,
    now: time.clock,
    sleep: time.sleep,
    logError: (m: string) => errors.push(m),
  };
  return { time, db, loop, ended, deps, errors };
}

async function player(db: Kysely<Database>, username: string): Promise<number> {
  const created = await createPlayer(db, {
    username,
    email: `${username}@example.com`,
    passwordHash: "x",
    createdAt: 0,
  });
  assert.ok(created.ok);
  return created.id;
}

Deno.test("RoundLoop ends rounds on the grid even when each unit of work is slow", async () => {
  const { time, db, loop, ended, deps } = await setup({ slowWriteMs: 40 });
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
  const { time, db, loop, ended, deps } = await setup();
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
  const { time, db, loop, deps } = await setup();
  const ann = await player(db, "ann");
  await loop.start(deps);
  const a = loop.game.join(ann, "ann", time.now);
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
  }]]);
  await loop.stop();
  await db.destroy();
});

Deno.test("RoundLoop resumes a saved round still running, and closes one whose deadline passed", async () => {
  const { time, db, loop, ended, deps } = await setup();
  const ann = await player(db, "ann");
  await loop.start(deps);
  const a = loop.game.join(ann, "ann", time.now);
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

Deno.test("RoundLoop keeps playing when a unit of work fails, and records the round later", async () => {
  const { time, db, loop, ended, deps, errors } = await setup();
  const ann = await player(db, "ann");
  await loop.start(deps);
  const a = loop.game.join(ann, "ann", time.now);
  loop.game.increment(a, time.now);
  // Make the tick's write fail, as a full disk would.
  await sql`create trigger fail before insert on rounds begin select raise(abort, 'disk full'); end`
    .execute(db);
  await time.advance(500);
  assert.equal(ended.length, 1, "EndRound still goes out");
  assert.equal(loop.health().unrecorded, 1);
  assert.equal(loop.health().lastUnitOfWork?.ok, false);
  assert.match(errors.join("\n"), /disk full/);
  await db.executeQuery(
    { sql: "drop trigger fail", parameters: [], query: { kind: "RawNode" } } as never,
  );
  await time.advance(1_000);
  assert.equal(loop.health().unrecorded, 0);
  assert.equal(loop.health().lastUnitOfWork?.ok, true);
  const rounds = await db.selectFrom("rounds").select("id").execute();
  assert.deepEqual(rounds.map((r) => r.id), [1, 2, 3]);
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
    log: (event) => {
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

Deno.test("sleep() never resolves before its time, and an abort ends it at once", async () => {
  const signal = new AbortController().signal;
  for (const ms of [0, 1, 3, 25]) {
    const until = Date.now() + ms;
    await sleep(ms, signal);
    assert.ok(Date.now() >= until, `sleep(${ms}) resolved early`);
  }
  const controller = new AbortController();
  const waiting = sleep(10_000, controller.signal);
  controller.abort(new Error("stopped"));
  await assert.rejects(waiting, /stopped/);
  const late = new AbortController();
  const polling = sleep(1, late.signal); // the timer fires at once; the clock is polled
  late.abort(new Error("stopped while polling"));
  await assert.rejects(polling, /stopped while polling/);
});
