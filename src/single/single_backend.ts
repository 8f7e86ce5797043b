/**
 * The game in this process: one {@linkcode RoundLoop} ending rounds and
 * recording them in SQLite, behind the same `GameBackend` as several
 * servers.
 *
 * @module
 */

import type { Config } from "../config.ts";
import { openDatabase } from "../db/open_database.ts";
import { announceRound } from "../announce_round.ts";
import type { GameBackend, GameBackendOptions } from "../game_backend.ts";
import { RoundLoop } from "./round_loop.ts";

/** Opens the SQLite database at `config.databasePath` and the round loop that will play on it. */
export async function openSingleBackend(
  config: Config,
  options: GameBackendOptions,
): Promise<GameBackend> {
  const loop = options.loop ?? new RoundLoop();
  const db = await openDatabase(config.databasePath, { log: options.log });
  return {
    db,
    game: loop.game,
    roundDurationMs: config.roundDurationMs,
    lastRound: () => loop.lastRound,
    start: (hub) =>
      loop.start({
        db,
        broadcast: (endRound) =>
          announceRound(hub, endRound, config.roundDurationMs, options.roundEnded),
        roundDurationMs: config.roundDurationMs,
        maxClicksPerSecond: config.maxClicksPerSecond,
        log: options.log,
      }),
    loopHealth: () => loop.health(),
    leadership: () => ({ leading: true, changes: 0 }),
    listening: () => {},
    stop: (closeSockets) => loop.stop({ beforeSave: closeSockets }),
  };
}
