/**
 * One logged-in player's life on the hub: connect, turn hub messages into
 * view actions, send clicks and purchases, and reconnect with backoff when
 * the connection drops or the first connect fails. A refused token ends the
 * session and hands the page back to the login form.
 *
 * @module
 */

import type { TokenVerdict } from "./api.ts";
import type { GameAction } from "./game_view.ts";
import { HubClient, type HubClientOptions, type HubCloseInfo, HubError } from "./hub_client.ts";
import { OFFLINE_AFTER_ATTEMPTS, reconnectDelay } from "./reconnect.ts";
import {
  ClientMethod,
  CloseReason,
  type EndRound,
  type GameInfo,
  HubMethod,
  type ScoreUpdate,
  type Throttled,
} from "../../src/hub/wire.ts";

/** What a {@linkcode GameSession} needs from the page. */
export interface GameSessionDeps {
  /** The player's token. */
  readonly token: string;
  /** Builds the hub URL for a token. */
  hubUrl(token: string): string;
  /** Receives every view action. */
  dispatch(action: GameAction): void;
  /** The token was refused or expired: show the login form with this message. */
  signedOut(message: string): void;
  /** Whether the hub would accept the token; asked after a failed connect. */
  probeToken(token: string): Promise<TokenVerdict>;
  /** Whether the browser thinks it has a network. */
  isOnline(): boolean;
  /** Local clock; default `Date.now`. */
  now?(): number;
  /** Random number in [0, 1) for jitter; default `Math.random`. */
  random?(): number;
  /** Hub timings. */
  hubOptions?: HubClientOptions;
}

/** The message shown on the login form when the server refuses a stored token. */
export const SESSION_EXPIRED = "Your session has expired. Please log in again.";

/** Connects one player to the hub and keeps them connected until `stop()`. */
export class GameSession {
  readonly #deps: GameSessionDeps;
  readonly #now: () => number;
  readonly #random: () => number;
  #hub: HubClient | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;

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
  }

  /** Skips the wait before the next reconnect attempt (the browser came back online, or the player asked). */
  retryNow(): void {
    this.#wake?.();
  }

  /** Sends one click; the view adds it at once and the completion reconciles it. */
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
    let failures = 0;
    let everConnected = false;
    while (!this.#stopped) {
      if (!this.#deps.isOnline()) {
        this.#deps.dispatch({ type: "connection", state: "offline" });
        await this.#sleep(reconnectDelay(failures + 8, this.#random()));
        continue;
      }
      this.#deps.dispatch({
        type: "connection",
        state: everConnected || failures > 0 ? "reconnecting" : "connecting",
      });
      const hub = this.#createHub();
      const closed = new Promise<HubCloseInfo>((resolve) => hub.onClose(resolve));
      try {
        await hub.start();
      } catch {
        if (this.#stopped) return;
        if (await this.#deps.probeToken(this.#deps.token) === "refused") {
          this.#signOut(SESSION_EXPIRED);
          return;
        }
        const delay = reconnectDelay(failures, this.#random());
        failures += 1;
        this.#deps.dispatch({
          type: "connection",
          state: failures >= OFFLINE_AFTER_ATTEMPTS ? "offline" : "reconnecting",
          retryAt: this.#now() + delay,
        });
        await this.#sleep(delay);
        continue;
      }
      if (this.#stopped) {
        hub.close();
        return;
      }
      this.#hub = hub;
      failures = 0;
      everConnected = true;
      this.#deps.dispatch({ type: "connection", state: "connected" });
      const info = await closed;
      this.#hub = null;
      if (this.#stopped) return;
      this.#deps.dispatch({ type: "connectionLost" });
      if (info.reason === CloseReason.TokenExpired) {
        this.#signOut(SESSION_EXPIRED);
        return;
      }
      const delay = reconnectDelay(0, this.#random());
      this.#deps.dispatch({
        type: "connection",
        state: "reconnecting",
        retryAt: this.#now() + delay,
      });
      await this.#sleep(delay);
    }
  }

  #createHub(): HubClient {
    const hub = new HubClient(this.#deps.hubUrl(this.#deps.token), this.#deps.hubOptions);
    const dispatch = this.#deps.dispatch;
    hub.on(ClientMethod.GameInfo, (info) => {
      if (isGameInfo(info)) dispatch({ type: "gameInfo", info, receivedAt: this.#now() });
    });
    hub.on(ClientMethod.EndRound, (round) => {
      if (isEndRound(round)) dispatch({ type: "endRound", round });
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

  #signOut(message: string): void {
    this.#stopped = true;
    this.#deps.signedOut(message);
  }

  /** Waits `ms`, or less when `retryNow()` or `stop()` wakes it. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

function asScoreUpdate(value: unknown): ScoreUpdate | null {
  const update = value as Partial<ScoreUpdate> | null;
  if (
    typeof update?.score === "number" && typeof update.multiplier === "number" &&
    typeof update.multiplierCost === "number"
  ) {
    return update as ScoreUpdate;
  }
  return null;
}

function isGameInfo(value: unknown): value is GameInfo {
  const info = value as Partial<GameInfo> | null;
  return typeof info?.score === "number" && typeof info.roundEndsAt === "number" &&
    typeof info.serverTime === "number" && typeof info.multiplier === "number" &&
    typeof info.maxClicksPerSecond === "number" && typeof info.baseMultiplierCost === "number";
}

function isEndRound(value: unknown): value is EndRound {
  const round = value as Partial<EndRound> | null;
  return Array.isArray(round?.winners) && typeof round.nextRoundEndsAt === "number";
}
