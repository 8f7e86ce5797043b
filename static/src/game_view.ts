/**
 * What the game page shows, as a pure function of what happened: hub
 * messages, completions, connection changes and the local clock, all passed
 * in as values. `reduce` folds an action into the view state; `countdown`,
 * `displayScore`, `canBuy` and `roundOutcome` derive what to draw.
 *
 * The score shown is the server's, never a guess: a click counts on the page
 * when its completion says the server counted it (a click the cap dropped
 * never shows), and a `Standing` from another tab of the player moves it
 * too. The result panel shows the last round the server recorded, from
 * `EndRound` or, after a reload or a reconnect, from `GameInfo.lastRound`.
 *
 * @module
 */

import { type Announced, type FinalPlace, finalPlace, placeAnnouncement } from "./race_view.ts";
import type {
  EndRound,
  GameInfo,
  LastRound,
  Race,
  RaceEntry,
  ScoreUpdate,
} from "../../src/hub/wire.ts";
import { START } from "../../src/game/rules.ts";

/**
 * The connection as the player sees it; `elsewhere`: the player's other tabs
 * or windows took this one's place, and it waits for the player to play here.
 */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline" | "elsewhere";

/** What the page says while another tab or window plays in its place. */
export const ELSEWHERE_MESSAGE =
  "You are playing in another tab or window, so this one is paused. Play here instead?";

/** How a finished round went for this player. */
export type Outcome = "won" | "tied" | "lost" | "none";

/** A finished round, as the result panel shows it. */
export interface RoundResult {
  readonly roundId: number;
  readonly winners: readonly string[];
  readonly nbClicks: number;
  readonly outcome: Outcome;
  /** The round's final top, when the server sent it with `EndRound`. */
  readonly standings?: readonly RaceEntry[];
  /** Where the player finished, known with the standings. */
  readonly place?: FinalPlace;
  /** Local clock time at which this page saw the round end; absent when `GameInfo` recalled it. */
  readonly seenAt?: number;
}

/** A short message shown for a moment. */
export interface Notice {
  readonly kind: "throttled" | "refused";
  readonly text: string;
  /** Local clock time at which it disappears. */
  readonly until: number;
}

/** Everything the game screen needs. */
export interface GameView {
  readonly username: string;
  readonly connection: ConnectionState;
  /** Local clock time of the next reconnect attempt, when one is scheduled. */
  readonly retryAt: number | null;
  /** The last score the server confirmed. */
  readonly confirmedScore: number;
  /** Clicks sent whose completion has not come back. */
  readonly pendingClicks: number;
  readonly multiplier: number;
  /** What the next multiplier costs; meaningful once `ready`. */
  readonly multiplierCost: number;
  /** What the first multiplier of a round costs, from `GameInfo`; null before it. */
  readonly baseMultiplierCost: number | null;
  /** Clicks a second that count, from `GameInfo`; null before it. */
  readonly maxClicksPerSecond: number | null;
  readonly buying: boolean;
  readonly nbWins: number;
  /** False until the first `GameInfo`. */
  readonly ready: boolean;
  readonly roundId: number | null;
  /** End of the current round on the server's clock. */
  readonly roundEndsAt: number | null;
  readonly roundDurationMs: number;
  /** Server clock minus local clock, measured when `GameInfo` arrived. */
  readonly clockOffsetMs: number;
  readonly online: number | null;
  readonly lastResult: RoundResult | null;
  /** How many rounds ended while this page watched. */
  readonly roundsSeen: number;
  readonly notice: Notice | null;
  /** Why the session ended, once it did: the page then asks for a new login. */
  readonly signedOut: string | null;
  /** The last `Race` the server sent; null from a server that sends none. */
  readonly race: Race | null;
  /** The last place announced to screen readers. */
  readonly announced: Announced | null;
}

/** Something that happened, for {@linkcode reduce}. */
export type GameAction =
  | { readonly type: "connection"; readonly state: ConnectionState; readonly retryAt?: number }
  | { readonly type: "gameInfo"; readonly info: GameInfo; readonly receivedAt: number }
  | { readonly type: "clickSent" }
  | { readonly type: "clickDone"; readonly update: ScoreUpdate | null }
  /** The player's standing moved in another tab. */
  | { readonly type: "standing"; readonly update: ScoreUpdate }
  | { readonly type: "buySent" }
  | { readonly type: "buyDone"; readonly update: ScoreUpdate }
  | { readonly type: "buyRefused"; readonly message: string; readonly now: number }
  | { readonly type: "buyLost" }
  /** `now`: the local clock when it arrived. */
  | { readonly type: "endRound"; readonly round: EndRound; readonly now?: number }
  | { readonly type: "race"; readonly race: Race; readonly now: number }
  | { readonly type: "playerCount"; readonly online: number }
  | {
    readonly type: "throttled";
    /** The cap the server named, or null to use the one from `GameInfo`. */
    readonly maxClicksPerSecond: number | null;
    readonly now: number;
  }
  | { readonly type: "connectionLost" }
  | { readonly type: "signedOut"; readonly message: string };

/**
 * Score and multiplier of a new round, as the server resets them (the rules'
 * start standing); what the multiplier then costs comes from the server in
 * `GameInfo`.
 */
export const FRESH_ROUND = START;

/** How long a notice stays up. */
export const NOTICE_MS = 2_500;

/** The view before the hub has said anything. */
export function initialView(username: string): GameView {
  return {
    username,
    connection: "connecting",
    retryAt: null,
    confirmedScore: FRESH_ROUND.score,
    pendingClicks: 0,
    multiplier: FRESH_ROUND.multiplier,
    multiplierCost: 0,
    baseMultiplierCost: null,
    maxClicksPerSecond: null,
    buying: false,
    nbWins: 0,
    ready: false,
    roundId: null,
    roundEndsAt: null,
    roundDurationMs: 30_000,
    clockOffsetMs: 0,
    online: null,
    lastResult: null,
    roundsSeen: 0,
    notice: null,
    signedOut: null,
    race: null,
    announced: null,
  };
}

/** Folds one action into the view. */
export function reduce(view: GameView, action: GameAction): GameView {
  switch (action.type) {
    case "connection":
      return { ...view, connection: action.state, retryAt: action.retryAt ?? null };
    case "gameInfo": {
      const { info } = action;
      return {
        ...view,
        ready: true,
        confirmedScore: info.score,
        multiplier: info.multiplier,
        multiplierCost: info.multiplierCost,
        baseMultiplierCost: info.baseMultiplierCost,
        maxClicksPerSecond: info.maxClicksPerSecond,
        nbWins: info.nbWins,
        roundId: info.roundId,
        roundEndsAt: info.roundEndsAt,
        roundDurationMs: info.roundDurationMs,
        clockOffsetMs: info.serverTime - action.receivedAt,
        lastResult: resultOf(info.lastRound ?? null, view),
      };
    }
    case "clickSent":
      return { ...view, pendingClicks: view.pendingClicks + 1 };
    case "clickDone": {
      const pendingClicks = Math.max(0, view.pendingClicks - 1);
      return action.update === null
        ? { ...view, pendingClicks }
        : { ...applyUpdate(view, action.update), pendingClicks };
    }
    case "standing":
      return applyUpdate(view, action.update);
    case "buySent":
      return { ...view, buying: true };
    case "buyDone":
      return { ...applyUpdate(view, action.update), buying: false };
    case "buyRefused":
      return {
        ...view,
        buying: false,
        notice: { kind: "refused", text: action.message, until: action.now + NOTICE_MS },
      };
    case "buyLost":
      return { ...view, buying: false };
    case "endRound":
      return endRound(view, action.round, action.now ?? null);
    case "race":
      return {
        ...view,
        race: action.race,
        announced: placeAnnouncement(view.announced, action.race, action.now) ?? view.announced,
      };
    case "playerCount":
      return { ...view, online: action.online };
    case "throttled": {
      const max = action.maxClicksPerSecond ?? view.maxClicksPerSecond;
      return {
        ...view,
        notice: {
          kind: "throttled",
          text: max === null
            ? "Whoa, slow down! Some clicks came too fast to count."
            : `Whoa, slow down! Only ${max} clicks a second count.`,
          until: action.now + NOTICE_MS,
        },
      };
    }
    case "connectionLost":
      return { ...view, pendingClicks: 0, buying: false, online: null };
    case "signedOut":
      return { ...view, signedOut: action.message, pendingClicks: 0, buying: false, notice: null };
  }
}

/** The result panel's round from `GameInfo`: the one it names, unless the page already shows it. */
function resultOf(round: LastRound | null, view: GameView): RoundResult | null {
  if (round === null) return view.lastResult;
  if (view.lastResult?.roundId === round.roundId) return view.lastResult;
  return {
    roundId: round.roundId,
    winners: [...round.winners],
    nbClicks: round.nbClicks,
    outcome: roundOutcome(round.winners, view.username),
  };
}

function applyUpdate(view: GameView, update: ScoreUpdate): GameView {
  return {
    ...view,
    confirmedScore: update.score,
    multiplier: update.multiplier,
    multiplierCost: update.multiplierCost,
  };
}

function endRound(view: GameView, round: EndRound, now: number | null): GameView {
  const outcome = roundOutcome(round.winners, view.username);
  const standings = Array.isArray(round.standings) ? round.standings : null;
  // Only with the standings: a server that sends none leaves the result as it was.
  const final = standings === null ? {} : {
    standings,
    place: finalPlace({
      roundId: round.roundId,
      standings,
      username: view.username,
      ownScore: view.confirmedScore,
      lastRace: view.race,
    }),
  };
  return {
    ...view,
    confirmedScore: FRESH_ROUND.score,
    multiplier: FRESH_ROUND.multiplier,
    // EndRound comes only after GameInfo, which set the base cost.
    multiplierCost: view.baseMultiplierCost ?? view.multiplierCost,
    nbWins: view.nbWins + (outcome === "won" || outcome === "tied" ? 1 : 0),
    roundId: round.roundId + 1,
    roundEndsAt: round.nextRoundEndsAt,
    lastResult: {
      roundId: round.roundId,
      winners: [...round.winners],
      nbClicks: round.nbClicks,
      outcome,
      ...final,
      ...(now === null ? {} : { seenAt: now }),
    },
    roundsSeen: view.roundsSeen + 1,
  };
}

/** Whether `username` won alone, tied, lost, or nobody won. */
export function roundOutcome(winners: readonly string[], username: string): Outcome {
  if (winners.length === 0) return "none";
  const me = username.toLowerCase();
  if (!winners.some((winner) => winner.toLowerCase() === me)) return "lost";
  return winners.length === 1 ? "won" : "tied";
}

/** The score to show: the server's, and only what it counted. */
export function displayScore(view: GameView): number {
  return view.confirmedScore;
}

/** Whether the buy button may be pressed. */
export function canBuy(view: GameView): boolean {
  return canClick(view) && !view.buying && view.confirmedScore >= view.multiplierCost;
}

/** Whether the click button may be pressed: only while a click can count. */
export function canClick(view: GameView): boolean {
  return view.connection === "connected" && view.ready && view.signedOut === null;
}

/** The message to show while another tab or window plays in this one's place, if it does. */
export function elsewhereMessage(view: GameView): string | null {
  return view.connection === "elsewhere" && view.signedOut === null ? ELSEWHERE_MESSAGE : null;
}

/** Time left in the round, judged on the server's clock. */
export interface Countdown {
  /** Milliseconds left, never negative. */
  readonly remainingMs: number;
  /** Whole seconds to show, rounded up. */
  readonly seconds: number;
  /** Share of the round left, from 1 (just started) to 0. */
  readonly fraction: number;
}

/** The countdown at local clock time `localNow`, corrected by the server clock offset. */
export function countdown(view: GameView, localNow: number): Countdown | null {
  if (view.roundEndsAt === null) return null;
  const serverNow = localNow + view.clockOffsetMs;
  const duration = Math.max(1, view.roundDurationMs);
  const remainingMs = Math.min(duration, Math.max(0, view.roundEndsAt - serverNow));
  return {
    remainingMs,
    seconds: Math.ceil(remainingMs / 1000),
    fraction: remainingMs / duration,
  };
}

/** How long before a round's end the countdown says "hurry": its last 5 s, or last quarter when shorter. */
export function hurryMs(view: GameView): number {
  return Math.min(5_000, view.roundDurationMs / 4);
}

/**
 * Milliseconds from local time `localNow` until the game screen would show
 * something else with nothing happening but time: the countdown's next whole
 * second or its turn to "hurry", a notice's end, the next second of a wait
 * before reconnecting. Never more than a second.
 */
export function nextChangeIn(view: GameView, localNow: number): number {
  const waits = [1_000];
  const left = countdown(view, localNow);
  if (left !== null && left.remainingMs > 0) {
    waits.push(left.remainingMs % 1_000 || 1_000);
    if (left.remainingMs > hurryMs(view)) waits.push(left.remainingMs - hurryMs(view));
  }
  if (view.notice !== null && view.notice.until > localNow) {
    waits.push(view.notice.until - localNow);
  }
  if (view.retryAt !== null && view.retryAt > localNow) {
    waits.push((view.retryAt - localNow) % 1_000 || 1_000);
  }
  return Math.min(...waits);
}

/** The notice to show at local time `localNow`, if any. */
export function activeNotice(view: GameView, localNow: number): Notice | null {
  return view.notice !== null && view.notice.until > localNow ? view.notice : null;
}
