/**
 * Draws the game screen from a {@linkcode GameView}: score, multiplier, buy
 * button, countdown, connection state, result panel (with the podium), the
 * notice that a session ended or that another tab plays in this one's place.
 * DOM only; every decision comes from `game_view.ts`, `result_panel.ts` and
 * `round_text.ts`. Usernames go in
 * as text, never as HTML. A control about to be disabled while it has the
 * focus hands it on to one that stays, so the focus never falls to the page.
 *
 * @module
 */

import { make, type PageElements, setAttr, setHidden, setText } from "./dom.ts";
import {
  activeNotice,
  canBuy,
  canClick,
  type ConnectionState,
  type Countdown,
  countdown,
  displayScore,
  elsewhereMessage,
  type GameView,
  hurryMs,
} from "./game_view.ts";
import { ordinal } from "./race_view.ts";
import { renderRace } from "./render_race.ts";
import { resultPanel } from "./result_panel.ts";
import { plural, wholeNumber } from "./round_text.ts";

const CONNECTION_WORDS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  elsewhere: "Paused",
};

/** Redraws everything that depends on the view and the clock; cheap when nothing changed. */
export function renderGame(els: PageElements, view: GameView, localNow: number): void {
  renderConnection(els, view, localNow);
  setText(els.userName, view.username);
  setText(els.onlineCount, view.online === null ? "–" : String(view.online));
  setText(els.roundNumber, view.roundId === null ? "–" : String(view.roundId));

  const score = displayScore(view);
  setText(els.score, wholeNumber(score));
  setText(els.multiplier, `×${view.multiplier}`);
  setText(els.clickGain, `+${view.multiplier}`);
  setText(els.buyNext, `×${view.multiplier * 2}`);
  // The cost is the server's to say: nothing is shown until GameInfo came.
  setText(els.buyCost, view.ready ? wholeNumber(view.multiplierCost) : "–");
  setText(els.buyUnit, view.ready && view.multiplierCost === 1 ? "point" : "points");
  setText(els.wins, wholeNumber(view.nbWins));
  const clickable = canClick(view);
  const buyable = canBuy(view);
  const elsewhere = elsewhereMessage(view);
  keepFocus(
    els,
    clickable,
    buyable,
    view.signedOut !== null ? els.sessionEnded : elsewhere !== null ? els.elsewhere : null,
  );
  if (els.buyButton.disabled === buyable) els.buyButton.disabled = !buyable;
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
  renderResult(els, view, localNow);
  renderRace(els, view, localNow);
  setHidden(els.sessionEnded, view.signedOut === null);
  setText(els.sessionEndedText, view.signedOut ?? "");
  // Shown, then filled: the live region is there before its words, so they are read out.
  setHidden(els.elsewhere, elsewhere === null);
  setText(els.elsewhereText, elsewhere ?? "");
  const notice = activeNotice(view, localNow);
  setHidden(els.notice, notice === null);
  if (notice !== null) {
    setText(els.notice, notice.text);
    setAttr(els.notice, "data-kind", notice.kind);
  }
}

/**
 * Before a focused button is disabled, moves the focus to one that stays
 * usable: after a purchase the Buy button may no longer be affordable, and
 * a keyboard player goes on clicking from where they are.
 */
function keepFocus(
  els: PageElements,
  clickable: boolean,
  buyable: boolean,
  panel: HTMLElement | null,
): void {
  const active = els.body.ownerDocument.activeElement;
  const losing = (active === els.buyButton && !buyable) ||
    (active === els.clickButton && !clickable);
  if (!losing) return;
  // A session that ended, or a tab paused for another, hands the focus to its
  // panel, not its button: keys mashed for the game must not open the login
  // form or take the game back from the other tab.
  const next = panel ?? (clickable ? els.clickButton : els.roundTitle);
  next.focus({ preventScroll: true });
}

function renderConnection(els: PageElements, view: GameView, localNow: number): void {
  const state = view.signedOut !== null ? "signed-out" : view.connection;
  // The moment the page last became connected (epoch ms, local clock): how
  // soon after a server's return its players are back is read from here.
  if (state === "connected" && els.connection.dataset.state !== "connected") {
    els.connection.dataset.connectedAt = String(localNow);
  }
  setAttr(els.connection, "data-state", state);
  setText(
    els.connectionText,
    view.signedOut !== null ? "Signed out" : CONNECTION_WORDS[view.connection],
  );
  // The seconds to the next attempt stay out of the live region: one announcement per state.
  const waiting = view.retryAt !== null && view.retryAt > localNow &&
    view.connection !== "connected" && view.signedOut === null;
  setText(
    els.retryText,
    waiting ? `retry in ${Math.ceil((view.retryAt! - localNow) / 1000)} s` : "",
  );
  setHidden(els.retryText, !waiting);
  setHidden(els.retryButton, !waiting);
  els.body.classList.toggle(
    "is-disconnected",
    view.connection !== "connected" || view.signedOut !== null,
  );
}

function renderCountdown(els: PageElements, view: GameView, localNow: number): void {
  const left = countdown(view, localNow);
  if (left === null) {
    setText(els.countdown, "–");
    runTimebar(els.timebarFill, null, "");
    return;
  }
  setText(els.countdown, String(left.seconds));
  runTimebar(
    els.timebarFill,
    left,
    `${view.roundEndsAt} ${view.roundDurationMs} ${view.clockOffsetMs}`,
  );
  els.timebar.classList.toggle("hurry", left.remainingMs <= hurryMs(view));
  setAttr(els.timebar, "aria-valuenow", String(Math.round(left.fraction * 100)));
  setAttr(els.timebar, "aria-valuetext", plural(left.seconds, "second") + " left");
}

/** Each countdown bar's run and animation, as `runTimebar` last set them. */
const timebarRuns = new WeakMap<HTMLElement, { run: string; animation: Animation | null }>();

/**
 * Sets the countdown bar shrinking from where the round stands to empty at
 * its end. The browser animates it off the main thread, so the page draws
 * nothing per frame; it is set going again only when `run` (the round's end,
 * its length, the server clock's offset) changes. No round: an empty bar.
 */
function runTimebar(fill: HTMLElement, left: Countdown | null, run: string): void {
  const last = timebarRuns.get(fill);
  if (last?.run === run) return;
  last?.animation?.cancel();
  const animation = left === null || left.remainingMs <= 0 ? null : fill.animate(
    [{ transform: `scaleX(${left.fraction.toFixed(4)})` }, { transform: "scaleX(0)" }],
    { duration: left.remainingMs, easing: "linear", fill: "forwards" },
  );
  timebarRuns.set(fill, { run, animation });
}

function renderResult(els: PageElements, view: GameView, localNow: number): void {
  const panel = resultPanel(view, localNow);
  if (panel === null) return;
  const { dataset } = els.result;
  if (panel.roundId !== null && dataset.roundId !== String(panel.roundId)) {
    dataset.roundId = String(panel.roundId);
  }
  setAttr(els.result, "data-outcome", panel.outcome);
  setText(els.resultLabel, panel.label);
  setText(els.resultHeadline, panel.headline);
  setText(els.resultDetail, panel.detail);
  setText(els.resultYou, panel.you);
  setHidden(els.resultYou, panel.you === "");
  if (dataset.key === panel.key) return;
  dataset.key = panel.key;
  els.podium.replaceChildren(...panel.podium.map((entry) => {
    const item = make("li", "", "podium-place");
    if (entry.username.toLowerCase() === view.username.toLowerCase()) item.classList.add("me");
    const rank = make("span", ordinal(entry.rank), `rank rank-${entry.rank}`);
    item.append(
      rank,
      make("span", entry.username, "podium-name"),
      make("span", wholeNumber(entry.score), "podium-score"),
    );
    return item;
  }));
  setHidden(els.podium, panel.podium.length === 0);
  // Each new result pops in: it switches between two copies of the entrance
  // animation, which restarts it without forcing a layout first.
  els.result.classList.add("fresh");
  els.result.classList.toggle("again");
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
