/**
 * The race as the page shows it, as pure functions of what the server sent
 * (`Race`, `EndRound.standings`) and the clock passed in: ordinal places
 * ("3rd of 7"), the live line beside the score, the rows of the race panel,
 * the podium of a finished round where ties share a place, the player's own
 * final line ("You: 25, 2nd of 3", or "You didn't play this round"), the
 * invitation a newcomer sees, and the rare, polite announcement of a new
 * place for screen readers.
 *
 * A server that sends no `Race` leaves all of it empty: the page then shows
 * no race at all.
 *
 * @module
 */

import { plural, wholeNumber } from "./round_text.ts";
import type { Race, RaceEntry } from "../../src/hub/wire.ts";

/** How long after a round's end its final top stays in the race panel (local ms). */
export const FINAL_MS = 6_000;

/** The least time between two announcements of the player's place. */
export const ANNOUNCE_MS = 8_000;

/** "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "112th". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${wholeNumber(n)}th`;
  const suffix = ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${wholeNumber(n)}${suffix}`;
}

/** "3rd of 7". */
export function placeText(rank: number, players: number): string {
  return `${ordinal(rank)} of ${wholeNumber(players)}`;
}

/** A race row with its place. */
export interface PlacedEntry extends RaceEntry {
  readonly rank: number;
}

/**
 * Places of a finished round's standings, highest score first: equal scores
 * share a place ("1, 1, 3"), as winners share the win.
 */
export function rankStandings(standings: readonly RaceEntry[]): PlacedEntry[] {
  let rank = 0;
  return standings.map((entry, index) => {
    if (index === 0 || entry.score !== standings[index - 1].score) rank = index + 1;
    return { ...entry, rank };
  });
}

/** The podium: everyone placed 1st to 3rd (more than three with ties). */
export function podium(standings: readonly RaceEntry[]): PlacedEntry[] {
  return rankStandings(standings).filter((entry) => entry.rank <= 3 && entry.score > 0);
}

/** The player's own outcome of a finished round. */
export interface FinalPlace {
  readonly score: number;
  /** Null when the player did not score, or scored outside the top and no `Race` said where. */
  readonly rank: number | null;
  /** Players who scored in the round, as far as the page knows. */
  readonly players: number;
}

/** What the page knows of a round that just ended, to find the player's place in it. */
export interface FinalInput {
  readonly roundId: number;
  readonly standings: readonly RaceEntry[];
  readonly username: string;
  /** The player's score as the page last had it from the server in that round. */
  readonly ownScore: number;
  /** The last `Race` the page had, if any. */
  readonly lastRace: Race | null;
}

/** Where the player finished: from the standings, else from the round's last `Race`. */
export function finalPlace(input: FinalInput): FinalPlace {
  const { standings, lastRace } = input;
  const race = lastRace?.roundId === input.roundId ? lastRace : null;
  const players = Math.max(standings.length, race?.players ?? 0);
  const me = input.username.toLowerCase();
  const mine = rankStandings(standings).find((entry) => entry.username.toLowerCase() === me);
  if (mine !== undefined) return { score: mine.score, rank: mine.rank, players };
  const score = Math.max(input.ownScore, race?.you.score ?? 0);
  if (score <= 0) return { score: 0, rank: null, players };
  const raceRank = race?.you.rank ?? null;
  const rank = raceRank === null ? null : Math.max(raceRank, standings.length + 1);
  return { score, rank, players: Math.max(players, rank ?? 0) };
}

/** "You: 25, 2nd of 3", "You: 4, outside the top 10", or "You didn't play this round". */
export function finalLine(place: FinalPlace, topSize: number): string {
  if (place.rank === null) {
    return place.score <= 0
      ? "You didn't play this round"
      : `You: ${wholeNumber(place.score)}, outside the top ${topSize}`;
  }
  return `You: ${wholeNumber(place.score)}, ${placeText(place.rank, place.players)}`;
}

/** What the first screen says while nobody has a result to show: come and play. */
export function invitation(seconds: number): string {
  return `Round ends in ${seconds} s: start clicking!`;
}

/**
 * The line beside the score while a round runs: the player's place and who
 * leads. `roundId` is the round the page is in; a `Race` of an earlier round
 * counts as a race nobody has scored in yet.
 */
export function raceLine(race: Race, roundId: number | null, username: string): string {
  if (roundId !== null && race.roundId < roundId) return "Nobody has scored yet: be the first!";
  if (race.players === 0 || race.top.length === 0) return "Nobody has scored yet: be the first!";
  const [leader, second] = race.top;
  const me = username.toLowerCase();
  const rank = race.you.rank;
  if (rank === null) {
    return `${leader.username} leads with ${plural(leader.score, "point")}: catch up!`;
  }
  const place = `You: ${placeText(rank, race.players)}`;
  if (leader.username.toLowerCase() === me) {
    return second === undefined
      ? place
      : `${place}, ${wholeNumber(leader.score - second.score)} ahead`;
  }
  return `${place} · ${leader.username} leads with ${wholeNumber(leader.score)}`;
}

/** One row of the race panel. */
export interface RaceRow extends PlacedEntry {
  /** The watching player's own row. */
  readonly me: boolean;
}

/**
 * The live race's rows: the top in the server's order (its places are the
 * ones `you.rank` counts in), then the player's own row when it is below.
 */
export function liveRows(race: Race, roundId: number | null, username: string): RaceRow[] {
  if (roundId !== null && race.roundId < roundId) return [];
  const me = username.toLowerCase();
  const rows: RaceRow[] = race.top.map((entry, index) => ({
    ...entry,
    rank: index + 1,
    me: entry.username.toLowerCase() === me,
  }));
  const rank = race.you.rank;
  if (rank !== null && rank > rows.length && !rows.some((row) => row.me)) {
    rows.push({ username, score: race.you.score, rank, me: true });
  }
  return rows;
}

/** A finished round's rows: its standings, ties sharing a place. */
export function finalRows(standings: readonly RaceEntry[], username: string): RaceRow[] {
  const me = username.toLowerCase();
  return rankStandings(standings).map((entry) => ({
    ...entry,
    me: entry.username.toLowerCase() === me,
  }));
}

/** The last place announced to screen readers, and when (local ms). */
export interface Announced {
  readonly text: string;
  readonly rank: number | null;
  readonly at: number;
}

/**
 * A polite announcement of the player's new place, or null: only when the
 * place changed, and at most once every {@linkcode ANNOUNCE_MS}, so a race
 * updated four times a second doesn't drown a screen reader.
 */
export function placeAnnouncement(
  last: Announced | null,
  race: Race,
  now: number,
): Announced | null {
  const rank = race.you.rank;
  if (rank === null || rank === last?.rank) return null;
  if (last !== null && now - last.at < ANNOUNCE_MS) return null;
  return { text: `You are ${placeText(rank, race.players)}.`, rank, at: now };
}
