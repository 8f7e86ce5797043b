/**
 * The client put together: shows the account forms or the game, owns the
 * view state, the login and its renewals, the hub session and the timers,
 * and redraws. Everything it uses is built in `main.ts` and passed in.
 *
 * The login is shared by the browser's tabs (see `session_store.ts`): with
 * the server's sign-in cookie the page keeps no token at all, otherwise the
 * token is kept in `localStorage`. A session that ends mid-play keeps the
 * game screen and its result in view and offers a new login; the form
 * appears only when the player asks for it, and keys held down meanwhile
 * never reach it.
 *
 * @module
 */

import {
  type ApiResult,
  type Fetch,
  fetchLeaderboard,
  fetchPlayer,
  fetchRounds,
  fetchSession,
  login,
  logout,
  probeServer,
  probeToken,
  register,
  renew,
} from "./api.ts";
import { AuthForms } from "./auth_forms.ts";
import { bindClickInput } from "./click_input.ts";
import { type PageElements, setHidden } from "./dom.ts";
import { GameSession, SESSION_EXPIRED } from "./game_session.ts";
import {
  canClick,
  type GameAction,
  type GameView,
  initialView,
  nextChangeIn,
  reduce,
} from "./game_view.ts";
import { HeldKeys } from "./held_keys.ts";
import { popGain, renderGame } from "./render_game.ts";
import { renderLeaderboard, renderRecord, renderRounds } from "./render_stats.ts";
import { type SessionEnd, SessionKeeper } from "./session_keeper.ts";
import {
  clearSession,
  type KeyValueStore,
  loadSession,
  saveSession,
  type StoredSession,
} from "./session_store.ts";
import type { LoginSuccess, PlayerHistory, RoundSummary } from "../../src/hub/wire.ts";

/** What the app needs from the browser. */
export interface AppDeps {
  readonly els: PageElements;
  readonly window: Window;
  /** Where the login is kept: `localStorage`, shared by the tabs. */
  readonly storage: KeyValueStore;
  readonly fetch: Fetch;
}

/** How many leaderboard rows and recent rounds the page shows; "Older rounds" adds as many again. */
export const LEADERBOARD_SIZE = 10;
export const RECENT_ROUNDS = 5;
/** The most rounds the server lists in one answer. */
const MAX_ROUNDS = 100;

/** What the page says when another tab ended the login. */
const ENDED_ELSEWHERE = "You logged out in another tab.";

/** The whole client. */
export class App {
  readonly #deps: AppDeps;
  readonly #auth: AuthForms;
  readonly #heldKeys: HeldKeys;
  #keeper: SessionKeeper | null = null;
  #view: GameView | null = null;
  #session: GameSession | null = null;
  #ticker: number | undefined;
  #focusClickButton = false;
  #statsRequest = 0;
  /** The latest refresh of the lists: the newest round id they hold (see #refreshStats). */
  #stats: Promise<number> | null = null;
  /** How many recent rounds the list asks for: "Older rounds" adds a page. */
  #roundsWanted = RECENT_ROUNDS;
  /** The rounds the list shows, newest first. */
  #rounds: RoundSummary[] = [];
  /** The player's own history, when the server has one. */
  #history: PlayerHistory | null = null;
  /** Whether the server sent a `Race` since the game was entered: it keeps players' histories. */
  #racing = false;

  constructor(deps: AppDeps) {
    this.#deps = deps;
    const { els } = deps;
    const win = deps.window;
    this.#heldKeys = new HeldKeys(win);
    this.#auth = new AuthForms(els, {
      login: (username, password) => login(username, password, deps.fetch),
      register: (input) => register(input, deps.fetch),
      loggedIn: (answer) => void this.#loggedIn(answer),
    });
    bindClickInput(els, () => this.#session?.click());
    els.buyButton.addEventListener("click", (event) => {
      this.#session?.buy();
      // After a mouse purchase, Space and Enter go back to clicking.
      if (event.detail > 0) els.clickButton.focus();
    });
    els.logoutButton.addEventListener("click", () => void this.#logOut());
    els.reloginButton.addEventListener("click", () => {
      const message = this.#view?.signedOut ?? SESSION_EXPIRED;
      this.#leaveGame();
      this.#showAuth(message, "error", true);
    });
    els.retryButton.addEventListener("click", () => this.#session?.retryNow());
    els.roundsOlder.addEventListener("click", () => void this.#olderRounds());
    els.playHereButton.addEventListener("click", () => {
      this.#session?.playHere();
      // Space and Enter go back to clicking once the game is back.
      this.#focusClickButton = true;
    });
    win.addEventListener("online", () => this.#session?.retryNow());
    win.addEventListener("offline", () => this.#session?.goOffline());
    win.document.addEventListener("visibilitychange", () => {
      if (win.document.visibilityState === "visible") this.#session?.retryNow();
    });
  }

  /**
   * Resumes the login: the sign-in cookie's session when the server has one,
   * else the stored token; or shows the login form.
   *
   * Every login the page makes is stored (a cookie's too, without its
   * token) and a logout forgets it, so with nothing stored there is no login
   * to resume: the form shows at once, with no round trip first, and no
   * refused request lands in the browser's console. With a login stored, the
   * game screen shows at once and the server is asked meanwhile; only its
   * refusal of the cookie ends the login, not a server that can't answer.
   */
  async start(): Promise<void> {
    const stored = loadSession(this.#deps.storage);
    if (stored === null) {
      this.#showAuth(undefined, "error", true);
      return;
    }
    // The screen a stored login leads to, drawn at once ("Connecting…", the
    // button disabled) rather than after the round trip: the page's first
    // paint is the game, laid out once.
    this.#showGame(stored.username);
    const cookie = await fetchSession(this.#deps.fetch);
    // The player may have logged out meanwhile (the button shows at once).
    if (this.#view === null || this.#session !== null) return;
    if (cookie.kind === "signed-in") {
      const session = { token: null, username: cookie.username, expiresAt: cookie.expiresAt };
      saveSession(session, this.#deps.storage);
      this.#enterGame(session);
    } else if (cookie.kind === "signed-out" && stored.token === null) {
      // The cookie this login relied on is gone or refused.
      this.#leaveGame();
      clearSession(this.#deps.storage);
      this.#showAuth(SESSION_EXPIRED, "error", true);
    } else {
      // A stored token; or a server that can't answer now (restarting, out of
      // reach): the hub's reconnects wait for it, and it judges the login then.
      this.#enterGame(stored);
    }
  }

  /** A login or registration succeeded: keep it (as the cookie, when the server set one) and play. */
  async #loggedIn(answer: LoginSuccess): Promise<void> {
    const cookie = await fetchSession(this.#deps.fetch);
    const byCookie = cookie.kind === "signed-in" &&
      cookie.username.toLowerCase() === answer.username.toLowerCase();
    const session: StoredSession = {
      token: byCookie ? null : answer.token,
      username: answer.username,
      expiresAt: answer.expiresAt,
    };
    saveSession(session, this.#deps.storage);
    this.#enterGame(session);
  }

  #showAuth(message: string | undefined, kind: "error" | "info", focus: boolean): void {
    const { els } = this.#deps;
    // Keys held for the game press nothing on the form.
    this.#heldKeys.hold();
    els.body.dataset.screen = "auth";
    setHidden(els.gameScreen, true);
    setHidden(els.topbarGame, true);
    setHidden(els.authScreen, false);
    els.body.classList.remove("is-disconnected");
    this.#auth.showLogin(message, kind, focus);
  }

  /** Shows the game screen for `username`, not yet connected. */
  #showGame(username: string): void {
    const { els } = this.#deps;
    const win = this.#deps.window;
    // Read before the screens change, while reading costs no layout.
    const scrolled = win.scrollX !== 0 || win.scrollY !== 0;
    this.#view = initialView(username);
    els.body.dataset.screen = "game";
    setHidden(els.authScreen, true);
    setHidden(els.gameScreen, false);
    setHidden(els.topbarGame, false);
    this.#focusClickButton = true;
    this.#render();
    // The game starts at the top; scrolling only when needed leaves the new
    // screen's layout to the next frame instead of forcing it now.
    if (scrolled) win.scrollTo(0, 0);
  }

  #enterGame(stored: StoredSession): void {
    const deps = this.#deps;
    // Already shown for this player when the page resumed a stored login.
    const shown = this.#view !== null && this.#view.username === stored.username &&
      !this.#view.ready && this.#session === null;
    if (!shown) this.#showGame(stored.username);
    const keeper = new SessionKeeper(stored, {
      store: deps.storage,
      events: deps.window,
      renew: (token) => renew(token, deps.fetch),
      serverNow: () => Date.now() + (this.#view?.clockOffsetMs ?? 0),
      changed: () => {},
      ended: (why, session) => this.#endedBy(why, session),
    });
    this.#keeper = keeper;
    const location = deps.window.location;
    const hubBase = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/game`;
    this.#session = new GameSession({
      token: () => keeper.session.token,
      // With the sign-in cookie the upgrade carries it: no token in the URL.
      hubUrl: (token) =>
        token === null ? hubBase : `${hubBase}?access_token=${encodeURIComponent(token)}`,
      dispatch: (action) => this.#dispatch(action),
      signedOut: (message) => this.#sessionOver(message),
      probeToken: (token) => probeToken(token, deps.fetch),
      probeServer: () => probeServer(deps.fetch),
      isOnline: () => deps.window.navigator.onLine,
    });
    keeper.start();
    this.#session.start();
    this.#startTicking();
    void this.#refreshStats();
  }

  /** Stops playing: the hub, the renewals, the timers. */
  #leaveGame(): void {
    this.#session?.stop();
    this.#session = null;
    this.#keeper?.stop();
    this.#keeper = null;
    this.#view = null;
    this.#roundsWanted = RECENT_ROUNDS;
    this.#rounds = [];
    this.#history = null;
    this.#racing = false;
    this.#stopTicking();
  }

  async #logOut(): Promise<void> {
    this.#leaveGame();
    clearSession(this.#deps.storage);
    this.#showAuth("You logged out. See you next round!", "info", true);
    await logout(this.#deps.fetch);
  }

  /**
   * The server refused the login. Mid-play the game screen stays, with its
   * result, and offers a new login; before the game ever showed, the login
   * form comes at once.
   */
  #sessionOver(message: string): void {
    const view = this.#view;
    const username = view?.username;
    this.#session?.stop();
    this.#session = null;
    this.#keeper?.stop();
    this.#keeper = null;
    clearSession(this.#deps.storage);
    if (username !== undefined) this.#auth.prefillUsername(username);
    if (view === null || !view.ready) {
      this.#leaveGame();
      this.#showAuth(message, "error", true);
      return;
    }
    this.#heldKeys.hold();
    this.#dispatch({ type: "signedOut", message });
    const { els } = this.#deps;
    const active = els.body.ownerDocument.activeElement;
    // The notice takes the focus, not its button: keys mashed for the game press nothing.
    if (active === null || active === els.body || els.gameScreen.contains(active)) {
      els.sessionEnded.focus({ preventScroll: true });
    }
  }

  /** Another tab ended or replaced the login, or the server would not renew it. */
  #endedBy(why: SessionEnd, session: StoredSession | null): void {
    if (why === "expired") {
      this.#sessionOver(SESSION_EXPIRED);
    } else if (why === "switched" && session !== null) {
      this.#leaveGame();
      this.#enterGame(session);
    } else {
      this.#leaveGame();
      this.#showAuth(ENDED_ELSEWHERE, "info", false);
    }
  }

  #dispatch(action: GameAction): void {
    if (this.#view === null) return;
    // The first Race says the server keeps players' histories: the player's is fetched with it
    // (once: a reconnect's GameInfo brings the lists up to date by itself).
    const firstRace = action.type === "race" && !this.#racing;
    if (firstRace) this.#racing = true;
    this.#view = reduce(this.#view, action);
    if (action.type === "clickDone" && action.update?.counted) {
      popGain(this.#deps.els, action.update.multiplier);
    }
    if (action.type === "endRound") void this.#refreshStats();
    else if (firstRace) void this.#refreshRecord();
    if (action.type === "gameInfo") {
      // A reconnect may have missed rounds: show where things stand, unless the
      // lists already hold the last round GameInfo names (the first GameInfo
      // after entering the game, which fetched them a moment before).
      void this.#refreshStatsBehind(action.info.lastRound?.roundId ?? null);
      this.#keeper?.reschedule();
    }
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

  /**
   * Redraws whenever time alone changes what the screen shows (the countdown's
   * next second, a notice's end; see `nextChangeIn`), and at least once a
   * second. The countdown bar needs no redraws: the browser animates it.
   */
  #startTicking(): void {
    this.#stopTicking();
    const win = this.#deps.window;
    const tick = () => {
      this.#render();
      const view = this.#view;
      // A few milliseconds past the change, so that the redraw finds it made.
      const wait = view === null ? 1_000 : Math.ceil(nextChangeIn(view, Date.now())) + 5;
      this.#ticker = win.setTimeout(tick, wait);
    };
    tick();
  }

  #stopTicking(): void {
    this.#deps.window.clearTimeout(this.#ticker);
  }

  /**
   * Fetches the leaderboard, the last rounds and the player's own history,
   * and shows them. Resolves with the newest round id the lists hold: 0 for
   * none, -1 when the fetch failed or a newer one replaced it.
   */
  #refreshStats(): Promise<number> {
    const request = ++this.#statsRequest;
    const username = this.#view?.username ?? "";
    const wanted = this.#roundsWanted;
    this.#stats = (async () => {
      // Players' histories came with the race: a server that sends no race is
      // not asked (its 404 would be an error in the browser's console).
      const [leaders, rounds, history] = await Promise.all([
        fetchLeaderboard(LEADERBOARD_SIZE, this.#deps.fetch),
        fetchRounds(wanted, this.#deps.fetch),
        this.#racing ? fetchPlayer(username, this.#deps.fetch) : null,
      ]);
      const view = this.#view;
      if (view === null || request !== this.#statsRequest) return -1;
      const { els } = this.#deps;
      if (isOk(leaders)) renderLeaderboard(els, leaders.value, view.username);
      // Not asked (the race not seen yet when this began): the history fetched meanwhile stays.
      if (history !== null && isOk(history)) this.#history = history.value;
      renderRecord(els, this.#history);
      if (!isOk(rounds)) return -1;
      this.#rounds = rounds.value;
      renderRounds(els, this.#rounds, view.username, this.#history, rounds.value.length >= wanted);
      return isOk(leaders) ? Math.max(0, ...rounds.value.map((round) => round.id)) : -1;
    })();
    return this.#stats;
  }

  /** Fetches and shows the player's own history, and the rounds they played in the list. */
  async #refreshRecord(): Promise<void> {
    const request = this.#statsRequest;
    const history = await fetchPlayer(this.#view?.username ?? "", this.#deps.fetch);
    const view = this.#view;
    // A full refresh meanwhile brought the history with the lists.
    if (view === null || !isOk(history) || request !== this.#statsRequest) return;
    this.#history = history.value;
    const { els } = this.#deps;
    renderRecord(els, this.#history);
    const more = this.#rounds.length >= this.#roundsWanted;
    renderRounds(els, this.#rounds, view.username, this.#history, more);
  }

  /** "Older rounds": the next page, before the oldest round the list shows. */
  async #olderRounds(): Promise<void> {
    const oldest = this.#rounds.at(-1)?.id;
    if (oldest === undefined) return;
    const page = Math.min(RECENT_ROUNDS, MAX_ROUNDS - this.#rounds.length);
    const request = this.#statsRequest;
    const older = await fetchRounds(page, this.#deps.fetch, oldest);
    const view = this.#view;
    // A refresh meanwhile redrew the list; its next one asks for as many rounds.
    if (view === null || !isOk(older) || request !== this.#statsRequest) return;
    const fresh = older.value.filter((round) => round.id < oldest);
    this.#rounds = [...this.#rounds, ...fresh];
    this.#roundsWanted = Math.min(MAX_ROUNDS, this.#rounds.length);
    const more = fresh.length >= page && this.#rounds.length < MAX_ROUNDS;
    const { els } = this.#deps;
    // The button goes once there is nothing older: its focus goes to the list's heading.
    const focused = els.body.ownerDocument.activeElement === els.roundsOlder;
    renderRounds(els, this.#rounds, view.username, this.#history, more);
    if (focused && !more) els.roundsTitle.focus();
  }

  /** Refreshes the lists unless they already hold round `roundId` (`null`: no round ended yet). */
  async #refreshStatsBehind(roundId: number | null): Promise<void> {
    const newest = await (this.#stats ?? Promise.resolve(-1));
    if (newest >= 0 && newest >= (roundId ?? 0)) return;
    await this.#refreshStats();
  }
}

function isOk<T>(result: ApiResult<T>): result is { ok: true; value: T } {
  return result.ok;
}
