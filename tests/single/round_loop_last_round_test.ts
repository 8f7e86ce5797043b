import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import { RoundLoop } from "../../src/single/round_loop.ts";
import type { EndRound } from "../../src/hub/wire.ts";
import { openDatabase } from "../../src/db/open_database.ts";
import type { Database } from "../../src/db/schema.ts";
import { createPlayer } from "../../src/db/accounts.ts";
import { FakeTime } from "../support/fake_time.ts";
import { quietLog } from "../../src/log/problem_log.ts";

async function setup() {
  const time = new FakeTime(1_000_000);
  const db: Kysely<Database> = await openDatabase(":memory:");
  const ended: EndRound[] = [];
  const deps = {
    db,
    broadcast: (e: EndRound) => ended.push(e),
    roundDurationMs: 500,
    now: time.clock,
    sleep: time.sleep,
    log: quietLog,
  };
  const created = await createPlayer(db, {
    username: "ann",
    email: "ann@example.com",
    passwordHash: "x",
    createdAt: 0,
  });
  assert.ok(created.ok);
  return { time, db, deps, ended, ann: created.id };
}

Deno.test("RoundLoop.lastRound is what the last EndRound said, null before any", async () => {
  const { time, db, deps, ended, ann } = await setup();
  const loop = new RoundLoop();
  await loop.start(deps);
  assert.equal(loop.lastRound, null);
  const a = loop.game.join(ann, "ann", time.now);
  loop.game.increment(a, time.now);
  await time.advance(500);
  await time.advance(10);
  assert.equal(ended.length, 1);
  assert.deepEqual(loop.lastRound, { roundId: 1, winners: ["ann"], nbClicks: 1 });
  await time.advance(500);
  assert.deepEqual(loop.lastRound, { roundId: 2, winners: [], nbClicks: 0 });
  await loop.stop();
  await db.destroy();
});

Deno.test("RoundLoop.lastRound after a restart is the last recorded round, also one closed at start", async () => {
  const { time, db, deps, ann } = await setup();
  const loop = new RoundLoop();
  await loop.start(deps);
  const a = loop.game.join(ann, "ann", time.now);
  loop.game.increment(a, time.now);
  loop.game.increment(a, time.now);
  await time.advance(100);
  await loop.stop();

  // Back after the deadline: the saved round is closed and recorded, never announced.
  time.now += 10_000;
  const again = new RoundLoop();
  await again.start(deps);
  assert.deepEqual(again.lastRound, { roundId: 1, winners: ["ann"], nbClicks: 2 });
  await again.stop();

  const third = new RoundLoop();
  await third.start(deps);
  assert.equal(third.lastRound?.roundId, 1, "read from the database");
  await third.stop();
  await db.destroy();
});
