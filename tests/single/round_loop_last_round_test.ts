import assert from "node:assert/strict";
import { RoundLoop } from "../../src/single/round_loop.ts";
import { player, setUpRoundLoop, startWithAnn } from "./round_loop_setup.ts";

Deno.test("RoundLoop.lastRound is what the last EndRound said, null before any", async () => {
  const { time, db, loop, deps, ended } = await setUpRoundLoop();
  const ann = await player(db, "ann");
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
  const { time, db, loop, deps, a } = await startWithAnn();
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
