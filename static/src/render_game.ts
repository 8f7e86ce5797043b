/**
 * Draws the game screen from a {@linkcode GameView}: score, multiplier, buy
 * button, countdown, connection state, result panel, leaderboard and last
 * rounds. DOM only; every decision comes from `game_view.ts` and
 * `round_text.ts`. Usernames go in as text, never as HTML.
 *
 * @module
 */

import { make, type PageElements, setAttr, setHidden, setText } from "./dom.ts";
import {
  activeNotice,
  canBuy,
  canClick,
  type ConnectionState,
  countdown,
  displayScore,
  type GameView,
} from "./game_view.ts";
import { plural, resultText, timeOfDay } from "./round_text.ts";
import type { LeaderboardEntry, RoundSummary } from "../../src/hub/wire.ts";

const CONNECTION_WORDS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** Redraws everything that depends on the view and the clock; cheap when nothing changed. */
export function renderGame(els: PageElements, view: GameView, localNow: number): void {
  renderConnection(els, view, localNow);
  setText(els.userName, view.username);
  setText(els.onlineCount, view.online === null ? "–" : String(view.online));
  setText(els.roundNumber, view.roundId === null ? "–" : String(view.roundId));

  const score = displayScore(view);
  setText(els.score, score.toLocaleString("en-US"));
  setText(els.multiplier, `×${view.multiplier}`);
  setText(els.clickGain, `+${view.multiplier}`);
  setText(els.buyNext, `×${view.multiplier * 2}`);
  // The cost is the server's to say: nothing is shown until GameInfo came.
  setText(els.buyCost, view.ready ? view.multiplierCost.toLocaleString("en-US") : "–");
  setText(els.wins, view.nbWins.toLocaleString("en-US"));
  const buyable = canBuy(view);
  if (els.buyButton.disabled === buyable) els.buyButton.disabled = !buyable;
  setAttr(
    els.buyButton,
    "aria-label",
    view.ready
      ? `Buy ×${view.multiplier * 2} multiplier for ${plural(view.multiplierCost, "point")}`
      : `Buy ×${view.multiplier * 2} multiplier`,
  );
  const clickable = canClick(view);
  if (els.clickButton.disabled === clickable) els.clickButton.disabled = !clickable;

  const dataset = els.gameScreen.dataset;
  const data: Record<string, string> = {
    confirmedScore: String(view.confirmedScore),
    pending: String(view.pendingClicks),
    roundsSeen: String(view.roundsSeen),
    roundEndsAt: String(view.roundEndsAt ?? ""),
    ready: String(view.ready),
  };
  for (const [key, value] of Object.entries(data)) {
    if (dataset[key] !== value) dataset[key] = value;
  }

  renderCountdown(els, view, localNow);
  renderResult(els, view);
  const notice = activeNotice(view, localNow);
  setHidden(els.notice, notice === null);
  if (notice !== null) {
    setText(els.notice, notice.text);
    setAttr(els.notice, "data-kind", notice.kind);
  }
}

function renderConnection(els: PageElements, view: GameView, localNow: number): void {
  setAttr(els.connection, "data-state", view.connection);
  setText(els.connectionText, CONNECTION_WORDS[view.connection]);
  // The seconds to the next attempt stay out of the live region: one announcement per state.
  const waiting = view.retryAt !== null && view.retryAt > localNow &&
    view.connection !== "connected";
  setText(
    els.retryText,
    waiting ? `retry in ${Math.ceil((view.retryAt! - localNow) / 1000)} s` : "",
  );
  setHidden(els.retryText, !waiting);
  setHidden(els.retryButton, !waiting);
  els.body.classList.toggle("is-disconnected", view.connection !== "connected");
}

function renderCountdown(els: PageElements, view: GameView, localNow: number): void {
  const left = countdown(view, localNow);
  if (left === null) {
    setText(els.countdown, "–");
    els.timebarFill.style.transform = "scaleX(0)";
    return;
  }
  setText(els.countdown, String(left.seconds));
  els.timebarFill.style.transform = `scaleX(${left.fraction.toFixed(4)})`;
  els.timebar.classList.toggle(
    "hurry",
    left.remainingMs <= Math.min(5_000, view.roundDurationMs / 4),
  );
  setAttr(els.timebar, "aria-valuenow", String(Math.round(left.fraction * 100)));
  setAttr(els.timebar, "aria-valuetext", plural(left.seconds, "second") + " left");
}

function renderResult(els: PageElements, view: GameView): void {
  const result = view.lastResult;
  const seen = String(view.roundsSeen);
  if (result === null || els.result.dataset.round === seen) return;
  els.result.dataset.round = seen;
  els.result.dataset.roundId = String(result.roundId);
  els.result.dataset.outcome = result.outcome;
  const text = resultText(result, view.username);
  setText(els.resultLabel, text.label);
  setText(els.resultHeadline, text.headline);
  setText(els.resultDetail, text.detail);
  // Restart the entrance animation for each new result.
  els.result.classList.remove("fresh");
  void els.result.offsetWidth;
  els.result.classList.add("fresh");
}

/** Shows a "+N" that floats up from the click button. */
export function popGain(els: PageElements, amount: number): void {
  const gain = make("span", `+${amount}`, "float-gain");
  gain.setAttribute("aria-hidden", "true");
  gain.style.left = `${22 + Math.random() * 56}%`;
  gain.style.top = `${18 + Math.random() * 24}%`;
  gain.addEventListener("animationend", () => gain.remove(), { once: true });
  els.clickZone.append(gain);
  if (els.clickZone.childElementCount > 24) els.clickZone.querySelector(".float-gain")?.remove();
}

/** Fills the leaderboard, marking the player's own row. */
export function renderLeaderboard(
  els: PageElements,
  entries: readonly LeaderboardEntry[],
  username: string,
): void {
  const me = username.toLowerCase();
  els.leaderboard.replaceChildren(...entries.map((entry, index) => {
    const item = make("li", "", "leader");
    if (entry.username.toLowerCase() === me) item.classList.add("me");
    item.append(
      make("span", String(index + 1), `rank rank-${index + 1}`),
      make("span", entry.username, "leader-name"),
      make("span", plural(entry.nbWins, "win"), "leader-wins"),
    );
    return item;
  }));
  setHidden(els.leaderboardEmpty, entries.length > 0);
}

/** Fills the list of recent rounds. */
export function renderRounds(
  els: PageElements,
  rounds: readonly RoundSummary[],
  username: string,
): void {
  const me = username.toLowerCase();
  els.rounds.replaceChildren(...rounds.map((round) => {
    const item = make("li", "", "round");
    const won = round.winners.some((name) => name.toLowerCase() === me);
    if (won) item.classList.add("me");
    const winners = make("span", "", "round-winners");
    if (round.winners.length === 0) {
      winners.append(make("span", "No winner", "muted"));
    } else {
      for (const name of round.winners) winners.append(make("span", name, "chip"));
    }
    const meta = round.players === 0 ? ["nobody played", timeOfDay(round.endedAt)] : [
      plural(round.nbClicks, "click"),
      plural(round.players, "player"),
      timeOfDay(round.endedAt),
    ];
    item.append(
      make("span", `#${round.id}`, "round-id"),
      winners,
      make("span", meta.join(" · "), "round-meta"),
    );
    return item;
  }));
  setHidden(els.roundsEmpty, rounds.length > 0);
}
