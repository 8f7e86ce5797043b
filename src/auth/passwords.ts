/**
 * Password hashing with Argon2id through Web Crypto.
 *
 * Deno runs `deriveBits` on a worker thread, so hashing never blocks the
 * event loop. Hashes are PHC strings that carry their parameters
 * (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so the cost can be raised
 * later without breaking stored hashes.
 *
 * The cost of new hashes is a parameter, never read from the environment:
 * tests that register many players pass a cheap one, production code keeps
 * {@linkcode OWASP}.
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.ts";

/** Argon2id cost parameters. */
export interface HashParameters {
  /** Memory in KiB. */
  readonly memory: number;
  /** Passes over memory. */
  readonly passes: number;
  /** Lanes. */
  readonly parallelism: number;
}

/** OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane. */
export const OWASP: HashParameters = Object.freeze({ memory: 19_456, passes: 2, parallelism: 1 });

const SALT_BYTES = 16;
const HASH_BITS = 256;
const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array, params: HashParameters) {
  const key = await crypto.subtle.importKey(
    "raw-secret",
    encoder.encode(password),
    "Argon2id",
    false,
    ["deriveBits"],
  );
  const algorithm = {
    name: "Argon2id",
    nonce: salt,
    memory: params.memory,
    passes: params.passes,
    parallelism: params.parallelism,
  };
  return new Uint8Array(await crypto.subtle.deriveBits(algorithm, key, HASH_BITS));
}

/** Hashes a password with a random 16-byte salt; returns a PHC string. */
export async function hashPassword(
  password: string,
  params: HashParameters = OWASP,
): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, params);
  const p = `m=${params.memory},t=${params.passes},p=${params.parallelism}`;
  return `$argon2id$v=19$${p}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Checks a password against a stored hash with a timing-safe compare. A
 * malformed hash never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored);
  if (!match) return false;
  const params = { memory: +match[1], passes: +match[2], parallelism: +match[3] };
  let expected: Uint8Array;
  let actual: Uint8Array;
  try {
    const salt = decodeBase64(match[4]);
    expected = decodeBase64(match[5]);
    actual = await derive(password, salt, params);
  } catch (error) {
    // Bad base64, or parameters Argon2 refuses (m=1, t=0, a 2-byte salt): malformed.
    if (error instanceof DOMException) return false;
    throw error;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// One stored-looking hash per cost, made on first use: hashing it again per
// login would double the cost of an unknown user's login.
const dummies = new Map<string, Promise<string>>();

/**
 * Spends the same time as a real check of a hash made with `params`, for
 * logins of unknown users, so the answer's timing doesn't tell whether a
 * username exists.
 */
export async function verifyNothing(
  password: string,
  params: HashParameters = OWASP,
): Promise<false> {
  const key = `${params.memory},${params.passes},${params.parallelism}`;
  let dummy = dummies.get(key);
  if (!dummy) {
    dummy = hashPassword("not a password of anyone", params);
    dummies.set(key, dummy);
  }
  await verifyPassword(password, await dummy);
  return false;
}
