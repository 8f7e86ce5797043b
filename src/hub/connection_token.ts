/**
 * Connection ids and tokens, and the server that owns them. With several
 * servers, a token starts with the id of the server that negotiated it,
 * `<serverId>.<random>`, so whichever server a request for the connection
 * reaches can tell where the connection lives without asking anyone. The
 * random part is what keeps the token secret; the prefix only routes.
 * Pure; no I/O.
 *
 * @module
 */

/** What a server id may be: the same rule `SERVER_ID` is held to. */
const SERVER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** 16 random bytes in base64url, without padding. */
const RANDOM = /^[A-Za-z0-9_-]{22}$/;

/** Random bytes in one id or token. */
export const RANDOM_BYTES = 16;

/**
 * A new connection id or token: 16 random bytes in base64url, prefixed by
 * `owner` and a dot when given. `bytes` are the random bytes (default: fresh
 * ones from the system's generator).
 */
export function connectionToken(
  owner?: string,
  bytes: Uint8Array = crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)),
): string {
  if (bytes.length !== RANDOM_BYTES) {
    throw new RangeError(`Cannot make a connection token: ${bytes.length} bytes, not 16`);
  }
  if (owner !== undefined && !SERVER_ID.test(owner)) {
    throw new RangeError(`Cannot make a connection token: invalid server id "${owner}"`);
  }
  const random = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  return owner === undefined ? random : `${owner}.${random}`;
}

/**
 * The id of the server that made `token`, or `undefined` when the token
 * names none or isn't one a server makes (the random part the wrong length
 * or alphabet, a bad server id, anything else in it). Server ids may hold
 * dots; the random part never does, so it follows the last one.
 */
export function tokenOwner(token: string): string | undefined {
  const dot = token.lastIndexOf(".");
  if (dot === -1) return undefined;
  const owner = token.slice(0, dot);
  if (!SERVER_ID.test(owner) || !RANDOM.test(token.slice(dot + 1))) return undefined;
  return owner;
}
