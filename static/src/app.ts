/**
 * The client put together: shows the account forms or the game, owns the
 * view state, the hub session and the timers, and redraws. Everything it
 * uses is built in `main.ts` and passed in.
 *
 * @module
 */

import {
  type ApiResult,
  type Fetch,
  fetchLeaderboard,
  fetchRounds,
  login,
  probeToken,
  register,
} from "./api.ts";
import { AuthForms } from "./auth_forms.ts";
import { bindClickInput } from "./click_input.ts";
import { type PageElements, setHidden } from "./dom.ts";
import { GameSession } from "./game_session.ts";
import { canClick, type GameAction, type GameView, initialView, reduce } from "./game_view.ts";
import { popGain, renderGame, renderLeaderboard, renderRounds } from "./render_game.ts";
import { clearSession, type KeyValueStore, loadSession, saveSession } from "./session_store.ts";
import type { LoginSuccess } from "../../src/hub/wire.ts";

/** What the app needs from the browser. */
export interface AppDeps {
  readonly els: PageElements;
  readonly window: Window;
  readonly storage: KeyValueStore;
  readonly fetch: Fetch;
}

/** How many leaderboard rows and recent rounds the page shows. */
export const LEADERBOARD_SIZE = 10;
export const RECENT_ROUNDS = 5;

/** The whole client. */
export class App {
  readonly #deps: AppDeps;
  readonly #auth: AuthForms;
  #player: LoginSuccess | null = null;
  #view: GameView | null = null;
  #session: GameSession | null = null;
  #frame = 0;
  #ticker: number | undefined;
  #focusClickButton = false;
  #statsRequest = 0;

  constructor(deps: AppDeps) {
    this.#deps = deps;
    const { els } = deps;
    this.#auth = new AuthForms(els, {
      login: (username, password) => login(username, password, deps.fetch),
      register: (input) => register(input, deps.fetch),
      loggedIn: (session) => {
        saveSession(session, deps.storage);
        this.#enterGame(session);
      },
    });
    bindClickInput(els, () => this.#session?.click());
    els.buyButton.addEventListener("click", (event) => {
      this.#session?.buy();
      // After a mouse purchase, Space and Enter go back to clicking.
      if (event.detail > 0) els.clickButton.focus();
    });
    els.logoutButton.addEventListener("click", () => {
      this.#leaveGame("You logged out. See you next round!", "info");
    });
    els.retryButton.addEventListener("click", () => this.#session?.retryNow());
    deps.window.addEventListener("online", () => this.#session?.retryNow());
    deps.window.document.addEventListener("visibilitychange", () => {
      if (deps.window.document.visibilityState === "visible") this.#session?.retryNow();
    });
  }

  /** Resumes the stored login, or shows the login form. */
  start(): void {
    const stored = loadSession(this.#deps.storage);
    if (stored === null) this.#showAuth();
    else this.#enterGame(stored);
  }

  #showAuth(message?: string, kind: "error" | "info" = "error"): void {
    const { els } = this.#deps;
    els.body.dataset.screen = "auth";
    setHidden(els.gameScreen, true);
    setHidden(els.topbarGame, true);
    setHidden(els.authScreen, false);
    els.body.classList.remove("is-disconnected");
    this.#auth.showLogin(message, kind);
  }

  #enterGame(player: LoginSuccess): void {
    const { els } = this.#deps;
    this.#player = player;
    this.#view = initialView(player.username);
    els.body.dataset.screen = "game";
    setHidden(els.authScreen, true);
    setHidden(els.gameScreen, false);
    setHidden(els.topbarGame, false);
    this.#focusClickButton = true;
    this.#deps.window.scrollTo(0, 0);
    this.#render();
    const location = this.#deps.window.location;
    this.#session = new GameSession({
      token: player.token,
      hubUrl: (token) =>
        `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/game?access_token=${
          encodeURIComponent(token)
        }`,
      dispatch: (action) => this.#dispatch(action),
      signedOut: (message) => this.#leaveGame(message, "error"),
      probeToken: (token) => probeToken(token, this.#deps.fetch),
      isOnline: () => this.#deps.window.navigator.onLine,
    });
    this.#session.start();
    this.#startTicking();
    void this.#refreshStats();
  }

  #leaveGame(message: string, kind: "error" | "info"): void {
    this.#session?.stop();
    this.#session = null;
    this.#view = null;
    this.#player = null;
    this.#stopTicking();
    clearSession(this.#deps.storage);
    this.#showAuth(message, kind);
  }

  #dispatch(action: GameAction): void {
    if (this.#view === null) return;
    this.#view = reduce(this.#view, action);
    if (action.type === "clickSent") popGain(this.#deps.els, this.#view.multiplier);
    if (action.type === "endRound") void this.#refreshStats();
    this.#render();
  }

  #render(): void {
    const view = this.#view;
    if (view === null) return;
    const { els } = this.#deps;
    renderGame(els, view, Date.now());
    if (this.#focusClickButton && canClick(view)) {
      this.#focusClickButton = false;
      const active = this.#deps.window.document.activeElement;
      if (active === null || active === els.body || els.authScreen.contains(active)) {
        els.clickButton.focus({ preventScroll: true });
      }
    }
  }

  /** Redraws every frame for a smooth countdown bar, and twice a second as a fallback when frames stall. */
  #startTicking(): void {
    this.#stopTicking();
    const win = this.#deps.window;
    const frame = () => {
      this.#render();
      this.#frame = win.requestAnimationFrame(frame);
    };
    this.#frame = win.requestAnimationFrame(frame);
    this.#ticker = win.setInterval(() => this.#render(), 500);
  }

  #stopTicking(): void {
    this.#deps.window.cancelAnimationFrame(this.#frame);
    this.#deps.window.clearInterval(this.#ticker);
  }

  async #refreshStats(): Promise<void> {
    const request = ++this.#statsRequest;
    const [leaders, rounds] = await Promise.all([
      fetchLeaderboard(LEADERBOARD_SIZE, this.#deps.fetch),
      fetchRounds(RECENT_ROUNDS, this.#deps.fetch),
    ]);
    const player = this.#player;
    if (player === null || request !== this.#statsRequest) return;
    if (isOk(leaders)) renderLeaderboard(this.#deps.els, leaders.value, player.username);
    if (isOk(rounds)) renderRounds(this.#deps.els, rounds.value, player.username);
  }
}

function isOk<T>(result: ApiResult<T>): result is { ok: true; value: T } {
  return result.ok;
}
