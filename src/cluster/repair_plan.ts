/**
 * What a server writes back to a Redis that lost its data, decided from what
 * the server still holds (pure: no Redis, no clock). Every server keeps the
 * round in progress as it last heard it and the latest standing it heard of
 * each player this round, each with the number of moves applied to it (its
 * version); on a loss each writes them back, and Redis keeps, per player,
 * the standing with the most moves: {@linkcode mergeStanding}, which the
 * repair script in `redis_epoch.ts` mirrors.
 *
 * @module
 */

import { nextDeadline, type RoundGrid } from "../game/round_clock.ts";
import type { RoundState } from "./round_scripts.ts";

/** A player's standing in the round in progress, and how many moves made it. */
export interface HeldStanding {
  readonly playerId: number;
  readonly score: number;
  readonly multiplier: number;
  /** Clicks and purchases applied to it this round. */
  readonly version: number;
}

/** What one server holds of the game, Redis aside. */
export interface HeldGame {
  /** The round in progress as this server last heard it. */
  readonly round: { readonly id: number; readonly endsAt: number };
  /** The highest round id this server has seen announced. */
  readonly lastAnnounced: number;
  /** The latest standing this server heard of each player, this round. */
  readonly standings: readonly HeldStanding[];
}

/** What {@linkcode planRepair} needs besides the server's view. */
export interface RepairContext {
  /** The highest round id PostgreSQL holds (0 when none, or unreadable). */
  readonly lastRecorded: number;
  readonly grid: RoundGrid;
  readonly nowMs: number;
}

/** What a server writes back. */
export interface RepairPlan {
  /** The round to restore unless Redis holds a later one. */
  readonly round: RoundState;
  /** The highest round id announced, so none is announced again. */
  readonly announced: number;
  /** The standings to merge into that round. */
  readonly standings: readonly HeldStanding[];
}

/**
 * The round in progress keeps its id and deadline; but when that id was
 * already recorded or announced (this server missed its end), the round
 * restored is the next one, on the grid, with no standings: an id is never
 * used twice.
 */
export function planRepair(held: HeldGame, context: RepairContext): RepairPlan {
  const { grid, nowMs } = context;
  const ended = Math.max(held.lastAnnounced, context.lastRecorded);
  const durationMs = grid.durationMs;
  if (held.round.id > ended) {
    return {
      round: {
        id: held.round.id,
        startedAt: held.round.endsAt - durationMs,
        endsAt: held.round.endsAt,
        gridStart: grid.startMs,
        durationMs,
      },
      announced: held.lastAnnounced,
      standings: held.standings,
    };
  }
  const endsAt = nextDeadline(grid, nowMs);
  return {
    round: {
      id: ended + 1,
      startedAt: endsAt - durationMs,
      endsAt,
      gridStart: grid.startMs,
      durationMs,
    },
    announced: held.lastAnnounced,
    standings: [],
  };
}

/**
 * Two standings of one player in one round: the one with more moves applied
 * wins; on a tie (the same moves) the higher score, so a score another
 * server restored higher is never lowered.
 */
export function mergeStanding(
  kept: HeldStanding | undefined,
  incoming: HeldStanding,
): HeldStanding {
  if (kept === undefined || incoming.version > kept.version) return incoming;
  if (incoming.version === kept.version && incoming.score > kept.score) return incoming;
  return kept;
}
