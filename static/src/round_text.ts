/**
 * The words the page uses for rounds and players: result headlines, lists of
 * names, counts. Pure; the page puts these strings into the DOM as text,
 * never as HTML, so a username can't become markup.
 *
 * @module
 */

import type { RoundResult } from "./game_view.ts";

/** "1 point", "42 points", "1,234 points". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${wholeNumber(count)} ${count === 1 ? one : many}`;
}

/**
 * A whole number as the page writes it, thousands grouped: "1,234,567".
 * Written by hand, not by `Intl`: a page's first `Intl` call loads its
 * locale data, tens of milliseconds on a phone, and scores are drawn
 * before anything else. Anything but a whole number goes to `Intl`.
 */
export function wholeNumber(value: number): string {
  if (!Number.isSafeInteger(value)) return value.toLocaleString("en-US");
  const grouped = String(Math.abs(value)).replace(/\B(?=(\d{3})+$)/g, ",");
  return value < 0 ? `-${grouped}` : grouped;
}

/** "ann", "ann and bob", "ann, bob and cy", "ann, bob, cy and 4 others". */
export function joinNames(names: readonly string[], max = 4): string {
  if (names.length === 0) return "";
  if (names.length === 1) return names[0];
  if (names.length > max) {
    const shown = names.slice(0, max - 1);
    return `${shown.join(", ")} and ${plural(names.length - shown.length, "other")}`;
  }
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The three lines of the result panel. */
export interface ResultText {
  readonly label: string;
  readonly headline: string;
  readonly detail: string;
}

/**
 * What the result panel says about a finished round, from `username`'s point
 * of view. The round's `nbClicks` is the winning score, in points (a click is
 * worth the multiplier), so the words say points.
 */
export function resultText(result: RoundResult, username: string): ResultText {
  const label = `Round ${result.roundId} is over`;
  const clicks = plural(result.nbClicks, "point");
  switch (result.outcome) {
    case "none":
      return { label, headline: "No winner", detail: "Nobody scored this round." };
    case "won":
      return { label, headline: "You won!", detail: `Top score with ${clicks}.` };
    case "tied": {
      const me = username.toLowerCase();
      const others = result.winners.filter((name) => name.toLowerCase() !== me);
      return {
        label,
        headline: "You tied for the win!",
        detail: `You and ${joinNames(others)} each scored ${clicks}.`,
      };
    }
    case "lost":
      return result.winners.length === 1
        ? {
          label,
          headline: `${result.winners[0]} wins`,
          detail: `${clicks}. Beat that next round!`,
        }
        : {
          label,
          headline: `${joinNames(result.winners)} tie`,
          detail: `${clicks} each. Beat that next round!`,
        };
  }
}

/** "12:03:41" in the player's time zone. */
export function timeOfDay(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}
