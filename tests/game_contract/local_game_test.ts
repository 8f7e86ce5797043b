/**
 * The game contract (`hub_game_contract.ts`) over the game in this process:
 * the round loop's game, on a fake clock, recording to SQLite in memory.
 *
 * @module
 */

import { describeHubGame, type GameUnderTest } from "./hub_game_contract.ts";
import { RoundLoop } from "../../src/single/round_loop.ts";
import type { EndRound } from "../../src/hub/wire.ts";
import { openDatabase } from "../../src/db/open_database.ts";
import { createPlayer } from "../../src/db/accounts.ts";
import { FakeTime } from "../support/fake_time.ts";

/** Longer than any wait of the suite, so only `closeRound()` ends a round. */
const ROUND_MS = 60_000;

describeHubGame("the game in this process", async ({ maxClicksPerSecond }) => {
  const time = new FakeTime(1_800_000_000_000);
  const db = await openDatabase(":memory:");
  const loop = new RoundLoop();
  let announced = Promise.withResolvers<EndRound>();
  let standings: EndRound["standings"] = [];
  await loop.start({
    db,
    broadcast: (endRound) => announced.resolve(endRound),
    roundDurationMs: ROUND_MS,
    maxClicksPerSecond,
    // No checkpoint between the suite's moves: only what it asks of the game.
    checkpointIntervalMs: 10 * ROUND_MS,
    now: time.clock,
    sleep: time.sleep,
    log: {
      error: (message) => announced.reject(new Error(message)),
      warning: (message) => announced.reject(new Error(message)),
    },
  });
  const t: GameUnderTest = {
    game: loop.game,
    async player(username) {
      const created = await createPlayer(db, {
        username,
        email: `${username}@example.com`,
        passwordHash: "x",
        createdAt: 0,
      });
      if (!created.ok) throw new Error(`Cannot create player ${username}: ${created.taken} taken`);
      return { id: created.id, username };
    },
    now: () => time.now,
    advance: (ms) => time.advance(ms),
    async closeRound() {
      await time.advance(loop.game.roundEndsAt - time.now);
      const { roundId, winners, nbClicks, ...rest } = await announced.promise;
      standings = rest.standings;
      announced = Promise.withResolvers<EndRound>();
      return { roundId, winners, nbClicks };
    },
    lastStandings: () => standings,
    race: () => Promise.resolve(loop.game.race),
    later: () => time.advance(1),
    async dispose() {
      await loop.stop();
      await db.destroy();
    },
  };
  return t;
});
