/**
 * Keeps the login in `sessionStorage`, like the original client: it lives as
 * long as the tab, survives a reload, and each tab may be another player.
 *
 * @module
 */

import type { LoginSuccess } from "../../src/hub/wire.ts";

const KEY = "clicker.session";

/** The narrow part of `Storage` this module uses. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The stored login, or `null` when there is none or it can't be read. */
export function loadSession(store: KeyValueStore = sessionStorage): LoginSuccess | null {
  try {
    const value = JSON.parse(store.getItem(KEY) ?? "null") as Partial<LoginSuccess> | null;
    if (typeof value?.token === "string" && typeof value.username === "string") {
      return { token: value.token, username: value.username, expiresAt: Number(value.expiresAt) };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

/** Stores a fresh login. */
export function saveSession(session: LoginSuccess, store: KeyValueStore = sessionStorage): void {
  store.setItem(KEY, JSON.stringify(session));
}

/** Forgets the login. */
export function clearSession(store: KeyValueStore = sessionStorage): void {
  store.removeItem(KEY);
}
