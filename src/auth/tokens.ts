/**
 * HS256 tokens naming a player, through `hono/jwt`.
 *
 * Verification pins HS256, so `alg: none` and every other algorithm are
 * refused. Errors never carry the token: `hono/jwt`'s own errors quote it, so
 * they are replaced by a {@linkcode TokenError} with a fixed message.
 *
 * @module
 */

import { sign, verify } from "hono/jwt";

/** Who a token names. */
export interface TokenSubject {
  readonly id: number;
  readonly username: string;
}

/** A verified token's content. */
export interface VerifiedToken extends TokenSubject {
  /** Expiry, epoch ms. */
  readonly expiresAt: number;
}

/** A token that was refused; the message never contains the token. */
export class TokenError extends Error {
  override name = "TokenError";
  /** Whether the token was good but for its expiry. */
  readonly expired: boolean;

  constructor(message: string, options: { readonly expired?: boolean } = {}) {
    super(message);
    this.expired = options.expired ?? false;
  }
}

/** An HMAC key, or the secret to make one from. */
export type TokenSecret = string | CryptoKey;

/**
 * Imports the secret once as an HMAC SHA-256 key. Signing and verifying with
 * the key skip an import per token, and a secret is always taken as raw bytes
 * (`hono/jwt` would read a string containing "PRIVATE" or "PUBLIC" as a PEM key).
 */
export async function tokenKey(secret: TokenSecret): Promise<CryptoKey> {
  if (typeof secret !== "string") return secret;
  return await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** Signs a token for `subject`, valid `ttlMinutes` from `nowMs`. */
export async function signToken(
  secret: TokenSecret,
  subject: TokenSubject,
  ttlMinutes: number,
  nowMs: number = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + Math.round(ttlMinutes * 60);
  const token = await sign(
    { sub: String(subject.id), name: subject.username, iat, exp },
    await tokenKey(secret),
    "HS256",
  );
  return { token, expiresAt: exp * 1000 };
}

/** Options of {@linkcode verifyToken}. */
export interface VerifyOptions {
  /**
   * Accept a token past its expiry (default false): only where something
   * else bounds the session, such as a live hub connection that expires on
   * its own.
   */
  readonly allowExpired?: boolean;
}

/** Verifies an HS256 token; throws {@linkcode TokenError} when it is refused or expired. */
export async function verifyToken(
  secret: TokenSecret,
  token: string,
  options: VerifyOptions = {},
): Promise<VerifiedToken> {
  const key = await tokenKey(secret);
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, key, { alg: "HS256", exp: !options.allowExpired });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "JwtTokenExpired") throw new TokenError("Token expired", { expired: true });
    throw new TokenError("Invalid token");
  }
  const id = Number(payload.sub);
  const { name, exp } = payload;
  if (
    !Number.isSafeInteger(id) || id <= 0 || typeof name !== "string" || typeof exp !== "number"
  ) {
    throw new TokenError("Invalid token");
  }
  return { id, username: name, expiresAt: exp * 1000 };
}

/** 32 random bytes as a hex string, for a generated secret. */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
