/**
 * What the race panel and the line beside the score show, as a pure function
 * of the view and the local clock: the live race (the top, the player's own
 * row, "You: 3rd of 7"), or for a few seconds after a round ends its final
 * top and the player's final line (the result panel keeps them all round).
 * Nothing from a server that sends no race.
 *
 * @module
 */

import type { GameView } from "./game_view.ts";
import { FINAL_MS, finalLine, finalRows, liveRows, raceLine, type RaceRow } from "./race_view.ts";
import { STANDINGS_SIZE } from "./result_panel.ts";

/** The race panel's content. */
export interface RacePanel {
  /** "live" while a round runs; "final" for a few seconds after one ends. */
  readonly mode: "live" | "final";
  /** "Round 13" or "Round 12, final". */
  readonly caption: string;
  /** The player's place in words, also shown beside the score. */
  readonly summary: string;
  readonly rows: readonly RaceRow[];
}

/** The race at local time `localNow`, or null when the server sent none. */
export function racePanel(view: GameView, localNow: number): RacePanel | null {
  const result = view.lastResult;
  if (
    result?.standings !== undefined && result.seenAt !== undefined &&
    localNow - result.seenAt < finalMs(view)
  ) {
    return {
      mode: "final",
      caption: `Round ${result.roundId}, final`,
      summary: result.place === undefined ? "" : finalLine(result.place, STANDINGS_SIZE),
      rows: finalRows(result.standings, view.username),
    };
  }
  const race = view.race;
  if (race === null) return null;
  return {
    mode: "live",
    caption: `Round ${view.roundId ?? race.roundId}`,
    summary: raceLine(race, view.roundId, view.username),
    rows: liveRows(race, view.roundId, view.username),
  };
}

/**
 * How long a finished round's top stays: {@linkcode FINAL_MS}, or the first
 * quarter of a shorter round, so the new round's race is seen most of it.
 */
export function finalMs(view: GameView): number {
  return Math.min(FINAL_MS, view.roundDurationMs / 4);
}
