/**
 * Keeps the login in `localStorage`, which every tab of the browser shares:
 * a new tab is already logged in, a token one tab renews serves them all,
 * and a logout in one tab reaches the others (through the `storage` event,
 * see {@linkcode watchSession}).
 *
 * When the server signs the browser in with its HttpOnly cookie, the token is
 * not kept at all (`token: null`): the cookie goes with every request and
 * with the hub's WebSocket upgrade, and script never sees it. Otherwise the
 * token is kept here, the fallback for a server without the cookie.
 *
 * @module
 */

/** The key the login is kept under. */
export const SESSION_KEY = "clicker.session";

/** The login as the page keeps it. */
export interface StoredSession {
  /** The token, or null when the sign-in cookie carries it. */
  readonly token: string | null;
  readonly username: string;
  /** Token expiry (epoch ms, server clock). */
  readonly expiresAt: number;
}

/** The narrow part of `Storage` this module uses. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The stored login, or `null` when there is none or it can't be read. */
export function loadSession(store: KeyValueStore): StoredSession | null {
  try {
    return parseSession(store.getItem(SESSION_KEY));
  } catch {
    // Storage refused (a private mode, a full quota): the same as none.
    return null;
  }
}

/** Reads a stored login; `null` when the text is none or damaged. */
export function parseSession(text: string | null): StoredSession | null {
  try {
    const value = JSON.parse(text ?? "null") as Partial<StoredSession> | null;
    const token = value?.token;
    if (
      typeof value?.username === "string" && (typeof token === "string" || token === null) &&
      Number.isFinite(value.expiresAt)
    ) {
      return { token, username: value.username, expiresAt: Number(value.expiresAt) };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

/** Stores a login (a new one, or a renewed token). */
export function saveSession(session: StoredSession, store: KeyValueStore): void {
  try {
    store.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Without storage the login lasts as long as the page.
  }
}

/** Forgets the login. */
export function clearSession(store: KeyValueStore): void {
  try {
    store.removeItem(SESSION_KEY);
  } catch {
    // Nothing was kept.
  }
}

/** Calls `changed` when another tab stores or forgets the login; returns a function that stops. */
export function watchSession(
  target: Pick<Window, "addEventListener" | "removeEventListener">,
  changed: (session: StoredSession | null) => void,
): () => void {
  const onStorage = (event: Event) => {
    // A `StorageEvent`, read through the two fields used.
    const { key, newValue } = event as Event & { key: string | null; newValue: string | null };
    if (key === SESSION_KEY || key === null) changed(parseSession(newValue));
  };
  target.addEventListener("storage", onStorage);
  return () => target.removeEventListener("storage", onStorage);
}
