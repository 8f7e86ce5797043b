/**
 * What the side panels show, as pure functions of what the server answered:
 * leaderboard ranks where ties share a rank (and its medal), and the recent
 * rounds someone played, so rounds nobody played don't crowd them out.
 *
 * @module
 */

import type { LeaderboardEntry, RoundSummary } from "../../src/hub/wire.ts";

/** A leaderboard row with its rank. */
export interface RankedEntry extends LeaderboardEntry {
  /** 1 for the most wins; players with as many wins share a rank ("1, 1, 3"). */
  readonly rank: number;
}

/** Ranks a leaderboard sorted by wins, most first: equal wins, equal rank. */
export function rankLeaders(entries: readonly LeaderboardEntry[]): RankedEntry[] {
  let rank = 0;
  return entries.map((entry, index) => {
    if (index === 0 || entry.nbWins !== entries[index - 1].nbWins) rank = index + 1;
    return { ...entry, rank };
  });
}

/** The rounds to list: the newest `max` that someone played, and how many empty ones were left out among them. */
export function playedRounds(
  rounds: readonly RoundSummary[],
  max: number,
): { readonly shown: RoundSummary[]; readonly skipped: number } {
  const shown: RoundSummary[] = [];
  let skipped = 0;
  for (const round of rounds) {
    if (shown.length === max) break;
    if (round.players > 0) shown.push(round);
    else skipped++;
  }
  return { shown, skipped };
}
