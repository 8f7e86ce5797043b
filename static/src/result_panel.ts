/**
 * What the result panel shows, as a pure function of the view and the local
 * clock: the last round's result (who won, the podium, the player's own
 * line), or, while nobody has a result to show and the player can click, an
 * invitation to play ("Round ends in 12 s: start clicking!") rather than an
 * empty round's "No winner". Also the words a screen reader hears when a
 * round ends, once, from a quiet live region of their own.
 *
 * @module
 */

import { canClick, countdown, type GameView, type Outcome } from "./game_view.ts";
import { finalLine, invitation, type PlacedEntry, podium } from "./race_view.ts";
import { resultText } from "./round_text.ts";

/** How many players `EndRound.standings` lists at most. */
export const STANDINGS_SIZE = 10;

/** The result panel's content. */
export interface ResultPanel {
  /** Changes when the panel shows another round or turns to the invitation: it then pops in. */
  readonly key: string;
  readonly outcome: Outcome | "invite";
  /** The finished round the panel is about, if any. */
  readonly roundId: number | null;
  readonly label: string;
  readonly headline: string;
  readonly detail: string;
  /** "You: 25, 2nd of 3", or "" when the server sent no standings. */
  readonly you: string;
  readonly podium: readonly PlacedEntry[];
}

/** The panel at local time `localNow`; null while there is nothing to say (before `GameInfo`). */
export function resultPanel(view: GameView, localNow: number): ResultPanel | null {
  const result = view.lastResult;
  const left = countdown(view, localNow);
  if ((result === null || result.outcome === "none") && canClick(view) && left !== null) {
    return {
      key: "invite",
      outcome: "invite",
      roundId: result?.roundId ?? null,
      label: `Round ${view.roundId} is on`,
      headline: invitation(left.seconds),
      detail: "Highest score wins. Ties share the win.",
      you: "",
      podium: [],
    };
  }
  if (result === null) return null;
  const text = resultText(result, view.username);
  return {
    key: `round ${result.roundId}`,
    outcome: result.outcome,
    roundId: result.roundId,
    ...text,
    you: result.place === undefined ? "" : finalLine(result.place, STANDINGS_SIZE),
    podium: result.standings === undefined ? [] : podium(result.standings),
  };
}

/**
 * What the quiet live region says: the newest of the last round's result (a
 * round someone played, seen ending on this page) and the player's last new
 * place in the race.
 */
export function announcement(view: GameView): string {
  const result = view.lastResult;
  const place = view.announced;
  const resultSeen = result !== null && result.outcome !== "none" && result.seenAt !== undefined;
  if (resultSeen && (place === null || result.seenAt! >= place.at)) {
    const text = resultText(result, view.username);
    const you = result.place === undefined ? "" : ` ${finalLine(result.place, STANDINGS_SIZE)}.`;
    const headline = /[.!?]$/.test(text.headline) ? text.headline : `${text.headline}.`;
    return `${text.label}. ${headline} ${text.detail}${you}`;
  }
  return place?.text ?? "";
}
