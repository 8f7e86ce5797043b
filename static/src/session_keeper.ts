/**
 * Keeps one login alive for as long as the page plays: renews its token
 * ahead of expiry (`POST /api/account/renew`), stores each renewal for the
 * other tabs, takes the ones they store, and says when the login ended: the
 * server refused to renew it, or another tab logged out or in as someone else.
 *
 * @module
 */

import type { ApiResult } from "./api.ts";
import { renewDelay, renewRetryDelay } from "./renewal.ts";
import {
  type KeyValueStore,
  saveSession,
  type StoredSession,
  watchSession,
} from "./session_store.ts";
import type { LoginSuccess } from "../../src/hub/wire.ts";

/** Why a login ended. */
export type SessionEnd =
  /** The server refused to renew the token (it expired, or the secret changed). */
  | "expired"
  /** Another tab logged out. */
  | "logged-out-elsewhere"
  /** Another tab logged in as another player. */
  | "switched";

/** What a {@linkcode SessionKeeper} needs. */
export interface SessionKeeperDeps {
  /** Where the login is kept, shared with the other tabs. */
  readonly store: KeyValueStore;
  /** Where `storage` events arrive. */
  readonly events: Pick<Window, "addEventListener" | "removeEventListener">;
  /** Asks the server for a fresh token (null: the sign-in cookie's). */
  renew(token: string | null): Promise<ApiResult<LoginSuccess>>;
  /** The server's clock, as well as the page knows it. */
  serverNow(): number;
  /** The login changed: a renewal, here or in another tab. */
  changed(session: StoredSession): void;
  /** The login ended; the keeper has stopped. */
  ended(why: SessionEnd, session: StoredSession | null): void;
  /** Random number in [0, 1); default `Math.random`. */
  random?(): number;
}

/** Renews one login until it ends or `stop()`. */
export class SessionKeeper {
  readonly #deps: SessionKeeperDeps;
  #session: StoredSession;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unwatch: (() => void) | undefined;
  #stopped = false;
  #renewing = false;

  constructor(session: StoredSession, deps: SessionKeeperDeps) {
    this.#session = session;
    this.#deps = deps;
  }

  /** The login as it stands now. */
  get session(): StoredSession {
    return this.#session;
  }

  /** Starts renewing, and listening to the other tabs. */
  start(): void {
    this.#unwatch = watchSession(this.#deps.events, (stored) => this.#fromOtherTab(stored));
    this.reschedule();
  }

  /** Stops renewing and listening. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unwatch?.();
  }

  /** Plans the next renewal anew, e.g. once the server's clock is better known. */
  reschedule(delay?: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    const random = (this.#deps.random ?? Math.random)();
    const wait = delay ?? renewDelay(this.#session.expiresAt, this.#deps.serverNow(), random);
    this.#timer = setTimeout(() => void this.#renew(), wait);
  }

  async #renew(): Promise<void> {
    if (this.#stopped || this.#renewing) return;
    this.#renewing = true;
    const asked = this.#session;
    let answer: ApiResult<LoginSuccess>;
    try {
      answer = await this.#deps.renew(asked.token);
    } finally {
      this.#renewing = false;
    }
    if (this.#stopped) return;
    if (this.#session !== asked) {
      // Another tab renewed meanwhile; its token is as good.
      this.reschedule();
      return;
    }
    if (answer.ok) {
      // With the sign-in cookie the token stays out of script's reach.
      const token = asked.token === null ? null : answer.value.token;
      this.#adopt({ token, username: asked.username, expiresAt: answer.value.expiresAt });
      saveSession(this.#session, this.#deps.store);
      return;
    }
    if (answer.status === 401) {
      this.stop();
      this.#deps.ended("expired", asked);
      return;
    }
    // No answer, or a busy server: try again while the token lasts.
    if (asked.expiresAt > this.#deps.serverNow()) {
      this.reschedule(renewRetryDelay(asked.expiresAt, this.#deps.serverNow()));
    }
  }

  #fromOtherTab(stored: StoredSession | null): void {
    if (this.#stopped) return;
    if (stored === null) {
      this.stop();
      this.#deps.ended("logged-out-elsewhere", null);
    } else if (stored.username.toLowerCase() !== this.#session.username.toLowerCase()) {
      this.stop();
      this.#deps.ended("switched", stored);
    } else if (stored.expiresAt >= this.#session.expiresAt) {
      this.#adopt(stored);
    }
  }

  #adopt(session: StoredSession): void {
    this.#session = session;
    this.#deps.changed(session);
    this.reschedule();
  }
}
