/**
 * One logged-in player's life on the hub: connect, turn hub messages into
 * view actions, send clicks and purchases, and reconnect when the
 * connection drops or the first connect fails: the first retry at once, then
 * growing delays with jitter (never more than 5 s apart); while the server
 * can't be reached at all it is asked two to four times a second whether it
 * is back, and the page connects the moment it is. Without a network (the
 * browser says it is offline) the page waits for one. A refused or expired
 * token ends the session.
 *
 * A connection the server closed because the player opened too many (their
 * other tabs and windows) is not reconnected: it would close the next
 * oldest, whose page would reconnect in turn, in a loop. The session says
 * so and waits for the player to ask to play here ({@linkcode GameSession.playHere}).
 *
 * @module
 */

import type { TokenVerdict } from "./api.ts";
import type { GameAction } from "./game_view.ts";
import {
  HubClient,
  type HubClientOptions,
  type HubCloseInfo,
  HubConnectError,
  HubError,
} from "./hub_client.ts";
import { probeInterval, reconnectDelay } from "./reconnect.ts";
import {
  ClientMethod,
  CloseReason,
  type EndRound,
  type GameInfo,
  HubMethod,
  type LastRound,
  type Race,
  type RaceEntry,
  type ScoreUpdate,
  type Throttled,
} from "../../src/hub/wire.ts";

/** What a {@linkcode GameSession} needs from the page. */
export interface GameSessionDeps {
  /** The player's current token (renewals change it); null when the sign-in cookie carries it. */
  token(): string | null;
  /** Builds the hub URL for a token (none in it for null). */
  hubUrl(token: string | null): string;
  /** Receives every view action. */
  dispatch(action: GameAction): void;
  /** The token was refused or expired: the session is over. */
  signedOut(message: string): void;
  /** Whether the hub would accept the token; asked after a failed connect. */
  probeToken(token: string | null): Promise<TokenVerdict>;
  /** Whether the server answers at all; asked while it can't be reached. */
  probeServer(): Promise<boolean>;
  /** Whether the browser thinks it has a network. */
  isOnline(): boolean;
  /** Local clock; default `Date.now`. */
  now?(): number;
  /** Random number in [0, 1) for jitter; default `Math.random`. */
  random?(): number;
  /** Hub timings. */
  hubOptions?: HubClientOptions;
}

/** What the page says when the server refuses or ends a login. */
export const SESSION_EXPIRED = "Your session has expired. Please log in again.";

/** How often the page looks at `navigator.onLine` while offline (the `online` event wakes it sooner). */
const OFFLINE_POLL_MS = 1_000;

/** Connects one player to the hub and keeps them connected until `stop()`. */
export class GameSession {
  readonly #deps: GameSessionDeps;
  readonly #now: () => number;
  readonly #random: () => number;
  #hub: HubClient | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;
  /** Set while the session waits for the player to play here again. */
  #resume: (() => void) | null = null;

  constructor(deps: GameSessionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** Starts connecting; reconnects by itself until `stop()`. */
  start(): void {
    void this.#run();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    this.#hub?.close();
    this.#hub = null;
    this.#wake?.();
    this.#resume?.();
  }

  /**
   * The player asks to play in this tab after another took over: connect
   * again (which closes the player's oldest other connection). Nothing else
   * ends that wait, not the network's return nor the tab coming into view.
   */
  playHere(): void {
    this.#resume?.();
  }

  /** Skips the wait before the next reconnect attempt (the browser came back online, or the player asked). */
  retryNow(): void {
    this.#wake?.();
  }

  /**
   * The browser lost its network: nothing sent now could count, so the
   * connection is closed at once rather than when it times out, and the
   * session waits for the network to come back.
   */
  goOffline(): void {
    this.#hub?.close();
  }

  /** Sends one click; the completion says whether it counted. */
  click(): void {
    const hub = this.#hub;
    if (hub === null) return;
    this.#deps.dispatch({ type: "clickSent" });
    hub.invoke(HubMethod.Increment).then(
      (result) => this.#deps.dispatch({ type: "clickDone", update: asScoreUpdate(result) }),
      () => this.#deps.dispatch({ type: "clickDone", update: null }),
    );
  }

  /** Asks to buy the next multiplier. */
  buy(): void {
    const hub = this.#hub;
    if (hub === null) return;
    this.#deps.dispatch({ type: "buySent" });
    hub.invoke(HubMethod.BuyMultiplier).then(
      (result) => {
        const update = asScoreUpdate(result);
        this.#deps.dispatch(update === null ? { type: "buyLost" } : { type: "buyDone", update });
      },
      (error) => {
        this.#deps.dispatch(
          error instanceof HubError
            ? { type: "buyRefused", message: error.message, now: this.#now() }
            : { type: "buyLost" },
        );
      },
    );
  }

  async #run(): Promise<void> {
    let attempt = 0;
    let everConnected = false;
    // Whether the last failed connect found the server unreachable.
    let unreachable = false;
    while (!this.#stopped) {
      if (!this.#deps.isOnline()) {
        this.#deps.dispatch({ type: "connection", state: "offline" });
        await this.#sleep(OFFLINE_POLL_MS);
        attempt = 0;
        continue;
      }
      this.#deps.dispatch({
        type: "connection",
        state: everConnected || attempt > 0 ? "reconnecting" : "connecting",
      });
      const hub = this.#createHub();
      const closed = new Promise<HubCloseInfo>((resolve) => hub.onClose(resolve));
      try {
        await hub.start();
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof HubConnectError && error.reason === CloseReason.TooManyConnections) {
          await this.#playingElsewhere();
          attempt = 0;
          continue;
        }
        const verdict = await this.#deps.probeToken(this.#deps.token());
        if (this.#stopped) return;
        if (verdict === "refused") {
          this.#signOut(SESSION_EXPIRED);
          return;
        }
        // Unreachable before, answering now: the server came back between the
        // failed connect and this question. Connect at once, not after the
        // backoff (up to 5 s); once, so a hub that fails while the server answers
        // still backs off.
        const cameBack = unreachable && verdict === "accepted";
        unreachable = verdict === "unreachable";
        if (cameBack) continue;
        attempt += 1;
        const delay = reconnectDelay(attempt, this.#random());
        this.#deps.dispatch({
          type: "connection",
          state: this.#deps.isOnline() ? "reconnecting" : "offline",
          retryAt: this.#now() + delay,
        });
        await this.#sleep(delay, verdict === "unreachable");
        continue;
      }
      if (this.#stopped) {
        hub.close();
        return;
      }
      this.#hub = hub;
      attempt = 0;
      unreachable = false;
      everConnected = true;
      this.#deps.dispatch({ type: "connection", state: "connected" });
      // A server that has no race refuses the call: the page then shows none.
      hub.invoke(HubMethod.WatchRace).catch(() => {});
      const info = await closed;
      this.#hub = null;
      if (this.#stopped) return;
      this.#deps.dispatch({ type: "connectionLost" });
      if (info.reason === CloseReason.TokenExpired) {
        this.#signOut(SESSION_EXPIRED);
        return;
      }
      if (info.reason === CloseReason.TooManyConnections) await this.#playingElsewhere();
      // The first retry goes at once (attempt 0).
    }
  }

  #createHub(): HubClient {
    const hub = new HubClient(this.#deps.hubUrl(this.#deps.token()), this.#deps.hubOptions);
    const dispatch = this.#deps.dispatch;
    hub.on(ClientMethod.GameInfo, (info) => {
      if (isGameInfo(info)) dispatch({ type: "gameInfo", info, receivedAt: this.#now() });
    });
    hub.on(ClientMethod.EndRound, (round) => {
      if (isEndRound(round)) dispatch({ type: "endRound", round, now: this.#now() });
    });
    hub.on(ClientMethod.Race, (value) => {
      const race = asRace(value);
      if (race !== null) dispatch({ type: "race", race, now: this.#now() });
    });
    hub.on(ClientMethod.Standing, (standing) => {
      const update = asScoreUpdate(standing);
      if (update !== null) dispatch({ type: "standing", update });
    });
    hub.on(ClientMethod.PlayerCount, (count) => {
      const online = (count as { online?: unknown } | null)?.online;
      if (typeof online === "number") dispatch({ type: "playerCount", online });
    });
    hub.on(ClientMethod.Throttled, (info) => {
      const max = (info as Partial<Throttled> | null)?.maxClicksPerSecond;
      dispatch({
        type: "throttled",
        maxClicksPerSecond: typeof max === "number" ? max : null,
        now: this.#now(),
      });
    });
    return hub;
  }

  /** The player's other tabs took this one's place: wait until the player asks for it back. */
  async #playingElsewhere(): Promise<void> {
    this.#deps.dispatch({ type: "connection", state: "elsewhere" });
    await new Promise<void>((resolve) => {
      this.#resume = () => {
        this.#resume = null;
        resolve();
      };
    });
  }

  #signOut(message: string): void {
    this.#stopped = true;
    this.#deps.signedOut(message);
  }

  /**
   * Waits `ms`, or less when `retryNow()` or `stop()` wakes it; with
   * `probe`, also as soon as the server answers again.
   */
  #sleep(ms: number, probe = false): Promise<void> {
    return new Promise((resolve) => {
      let probeTimer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        clearTimeout(probeTimer);
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      if (!probe) return;
      const ask = () => {
        probeTimer = setTimeout(async () => {
          if (this.#wake !== done) return;
          if (await this.#deps.probeServer()) done();
          else if (this.#wake === done) ask();
        }, Math.min(ms, probeInterval(this.#random())));
      };
      ask();
    });
  }
}

function asScoreUpdate(value: unknown): ScoreUpdate | null {
  const update = value as Partial<ScoreUpdate> | null;
  if (
    typeof update?.score === "number" && typeof update.multiplier === "number" &&
    typeof update.multiplierCost === "number"
  ) {
    // A server that doesn't say counted every click it answered.
    return { ...update, counted: update.counted !== false } as ScoreUpdate;
  }
  return null;
}

function isGameInfo(value: unknown): value is GameInfo {
  const info = value as Partial<GameInfo> | null;
  return typeof info?.score === "number" && typeof info.roundEndsAt === "number" &&
    typeof info.serverTime === "number" && typeof info.multiplier === "number" &&
    typeof info.maxClicksPerSecond === "number" && typeof info.baseMultiplierCost === "number" &&
    (info.lastRound === undefined || info.lastRound === null || isLastRound(info.lastRound));
}

function isLastRound(value: unknown): value is LastRound {
  const round = value as Partial<LastRound> | null;
  return Array.isArray(round?.winners) && typeof round.roundId === "number" &&
    typeof round.nbClicks === "number";
}

function isEndRound(value: unknown): value is EndRound {
  const round = value as Partial<EndRound> | null;
  return Array.isArray(round?.winners) && typeof round.nextRoundEndsAt === "number" &&
    (round.standings === undefined || isEntries(round.standings));
}

/** A `Race`, its `you.rank` null unless a place (1 or more): no place however a server says so. */
function asRace(value: unknown): Race | null {
  const race = value as Partial<Race> | null;
  if (
    typeof race?.roundId !== "number" || typeof race.players !== "number" ||
    !isEntries(race.top) || typeof race.you?.score !== "number"
  ) {
    return null;
  }
  const rank = race.you.rank;
  const place = typeof rank === "number" && rank >= 1 ? rank : null;
  return { ...race, you: { score: race.you.score, rank: place } } as Race;
}

function isEntries(value: unknown): value is RaceEntry[] {
  return Array.isArray(value) &&
    value.every((entry: Partial<RaceEntry> | null) =>
      typeof entry?.username === "string" && typeof entry.score === "number"
    );
}
