/**
 * Draws the side panels from what the server answered: the leaderboard (the
 * player's row marked, ties sharing a rank and its medal), the last rounds
 * (with the player's own score and place in those they played, and the
 * "Older rounds" button) and the player's own record. DOM only; the ranks
 * and the rounds to list come from `stats_view.ts`. Usernames go in as text.
 *
 * @module
 */

import { make, type PageElements, setHidden, setText } from "./dom.ts";
import { ordinal } from "./race_view.ts";
import { plural, timeOfDay, wholeNumber } from "./round_text.ts";
import { playedRounds, rankLeaders } from "./stats_view.ts";
import type {
  LeaderboardEntry,
  PlayerHistory,
  PlayerRound,
  RoundSummary,
} from "../../src/hub/wire.ts";

/** Fills the leaderboard, marking the player's own row; ties share a rank and its medal. */
export function renderLeaderboard(
  els: PageElements,
  entries: readonly LeaderboardEntry[],
  username: string,
): void {
  const me = username.toLowerCase();
  els.leaderboard.replaceChildren(
    ...rankLeaders(entries).map((entry) => {
      const item = make("li", "", "leader");
      if (entry.username.toLowerCase() === me) item.classList.add("me");
      item.dataset.rank = String(entry.rank);
      const rank = make("span", String(entry.rank), `rank rank-${entry.rank}`);
      rank.setAttribute("aria-label", `Rank ${entry.rank}`);
      item.append(
        rank,
        make("span", entry.username, "leader-name"),
        make("span", plural(entry.nbWins, "win"), "leader-wins"),
      );
      return item;
    }),
  );
  setHidden(els.leaderboardEmpty, entries.length > 0);
}

/**
 * Fills the list of recent rounds someone played, marking those the player
 * won and saying how the player did in the ones they played (from their
 * history); `older` shows the button that pages further back.
 */
export function renderRounds(
  els: PageElements,
  rounds: readonly RoundSummary[],
  username: string,
  history: PlayerHistory | null,
  older: boolean,
): void {
  const me = username.toLowerCase();
  const mine = new Map<number, PlayerRound>(
    (history?.lastRounds ?? []).map((round) => [round.roundId, round]),
  );
  const { shown } = playedRounds(rounds, rounds.length);
  els.rounds.replaceChildren(...shown.map((round) => {
    const item = make("li", "", "round");
    const won = round.winners.some((name) => name.toLowerCase() === me);
    if (won) item.classList.add("me");
    const winners = make("span", "", "round-winners");
    if (round.winners.length === 0) {
      winners.append(make("span", "No winner", "muted"));
    } else {
      for (const name of round.winners) winners.append(make("span", name, "chip"));
    }
    const own = mine.get(round.id);
    const meta = [
      `top ${plural(round.nbClicks, "point")}`,
      plural(round.players, "player"),
      ...(own === undefined ? [] : [`you ${wholeNumber(own.score)}, ${ordinal(own.rank)}`]),
      timeOfDay(round.endedAt),
    ];
    item.append(
      make("span", `#${round.id}`, "round-id"),
      winners,
      make("span", meta.join(" · "), "round-meta"),
    );
    return item;
  }));
  setHidden(els.roundsEmpty, shown.length > 0);
  // A server that lists empty rounds too may have listed only those: none played lately, not ever.
  setText(els.roundsEmpty, rounds.length > 0 ? "No round played lately." : "No round played yet.");
  setHidden(els.roundsOlder, !older || shown.length === 0);
}

/** The player's own line under the leaderboard: wins, rounds played, best score; hidden without one. */
export function renderRecord(els: PageElements, history: PlayerHistory | null): void {
  setHidden(els.myRecord, history === null);
  setText(
    els.myRecord,
    history === null
      ? ""
      : `You: ${plural(history.nbWins, "win")} · ${
        plural(history.roundsPlayed, "round")
      } played · best ${plural(history.bestScore, "point")}`,
  );
}
