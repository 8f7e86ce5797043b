/**
 * A round loop for a test: an in-memory database, a fake clock whose
 * queries may "take" time, rounds of 500 ms, and every `EndRound` and
 * error kept for the test to read.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import { RoundLoop } from "../../src/single/round_loop.ts";
import type { EndRound } from "../../src/hub/wire.ts";
import { openDatabase } from "../../src/db/open_database.ts";
import type { Database } from "../../src/db/schema.ts";
import { createPlayer } from "../../src/db/accounts.ts";
import { FakeTime } from "../support/fake_time.ts";
import { CollectingLog } from "../support/collecting_log.ts";

/** Options of {@linkcode setUpRoundLoop}. */
export interface RoundLoopSetupOptions {
  /** How long each query takes on the fake clock, as on a slow disk (default 0). */
  readonly slowWriteMs?: number;
  /** The fake clock's start, epoch ms (default 1,000,000). */
  readonly start?: number;
}

/** A loop not started yet, what it will be started with, and what it tells. */
export async function setUpRoundLoop(options: RoundLoopSetupOptions = {}) {
  const time = new FakeTime(options.start ?? 1_000_000);
  const db: Kysely<Database> = await openDatabase(":memory:", {
    // Each query "takes" slowWriteMs of the fake clock, as a slow disk would.
    queryLog: () => {
      time.now += options.slowWriteMs ?? 0;
    },
  });
  const ended: (EndRound & { at: number })[] = [];
  const loop = new RoundLoop();
  const errors = new CollectingLog();
  const deps = {
    db,
    broadcast: (e: EndRound) => ended.push({ ...e, at: time.now }),
    roundDurationMs: 500,
    now: time.clock,
    sleep: time.sleep,
    log: errors,
  };
  return { time, db, loop, ended, deps, errors };
}

/** Registers `username` in `db`; its player id. */
export async function player(db: Kysely<Database>, username: string): Promise<number> {
  const created = await createPlayer(db, {
    username,
    email: `${username}@example.com`,
    passwordHash: "x",
    createdAt: 0,
  });
  assert.ok(created.ok);
  return created.id;
}

/** {@linkcode setUpRoundLoop} with ann registered, the loop started and ann joined (`a`). */
export async function startWithAnn(options: RoundLoopSetupOptions = {}) {
  const setUp = await setUpRoundLoop(options);
  const ann = await player(setUp.db, "ann");
  await setUp.loop.start(setUp.deps);
  return { ...setUp, ann, a: setUp.loop.game.join(ann, "ann", setUp.time.now) };
}
