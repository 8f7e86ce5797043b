/**
 * The round schedule's source of truth when Redis has none: the grid
 * (start and round length) is settled once in PostgreSQL's settings, as the
 * token secret is, and the next round id follows the last one recorded. So
 * the schedule survives a change of leader (it is in Redis), a restart of
 * every server (still in Redis), and a Redis that lost its data (the
 * servers write back the round in progress, see `redis_epoch.ts`; with no
 * server left that knew it, the next round follows the last one recorded).
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { settleSetting } from "../db/settings.ts";
import { lastRoundId } from "../db/rounds.ts";
import { nextDeadline, type RoundGrid } from "../game/round_clock.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { initRound, readRound, type RoundState } from "./round_scripts.ts";

/** The setting that holds the grid, as JSON `{startMs, durationMs}`. */
export const GRID_SETTING = "round_grid";

/** The grid every server follows: the first server to start settles it. */
export async function settleGrid(
  db: Kysely<Database>,
  durationMs: number,
  nowMs: number,
): Promise<RoundGrid> {
  const stored = await settleSetting(
    db,
    GRID_SETTING,
    JSON.stringify({ startMs: nowMs, durationMs }),
  );
  const grid = JSON.parse(stored) as RoundGrid;
  return { startMs: Number(grid.startMs), durationMs: Number(grid.durationMs) };
}

/**
 * The round in progress in Redis; when Redis has none, opens the next one
 * on `grid` after the last round PostgreSQL holds (atomically: servers
 * starting at once agree on one). With `epoch`, rejects when Redis doesn't
 * hold it (it lost its data: the servers restore the round, see
 * `redis_epoch.ts`).
 */
export async function openSchedule(
  redis: Redis,
  keys: ClusterKeys,
  db: Kysely<Database>,
  grid: RoundGrid,
  nowMs: number,
  epoch = "",
): Promise<RoundState> {
  const existing = await readRound(redis, keys);
  if (existing) return existing;
  const last = await lastRoundId(db);
  const endsAt = nextDeadline(grid, nowMs);
  return await initRound(
    redis,
    keys,
    {
      id: last + 1,
      startedAt: endsAt - grid.durationMs,
      endsAt,
      gridStart: grid.startMs,
      durationMs: grid.durationMs,
    },
    last,
    epoch,
  );
}
