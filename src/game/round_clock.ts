/**
 * Aligned round arithmetic. Round k of a run ends at `start + k × duration`,
 * computed from the clock each time so that slow work at one boundary never
 * shifts the next one.
 *
 * @module
 */

/** A grid of round deadlines: a start time and a round duration, both in ms. */
export interface RoundGrid {
  readonly startMs: number;
  readonly durationMs: number;
}

/** The index (1-based) of the round that is running at `nowMs`. */
export function roundIndexAt(grid: RoundGrid, nowMs: number): number {
  if (nowMs < grid.startMs) return 1;
  return Math.floor((nowMs - grid.startMs) / grid.durationMs) + 1;
}

/** When round `index` of the grid ends. */
export function roundEnd(grid: RoundGrid, index: number): number {
  return grid.startMs + index * grid.durationMs;
}

/** The first deadline strictly after `nowMs`. */
export function nextDeadline(grid: RoundGrid, nowMs: number): number {
  return roundEnd(grid, roundIndexAt(grid, nowMs));
}

/** How long to wait from `nowMs` until `deadlineMs` (never negative). */
export function waitUntil(deadlineMs: number, nowMs: number): number {
  return Math.max(0, deadlineMs - nowMs);
}
