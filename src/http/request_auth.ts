/**
 * Who a request speaks for. A token comes, in this order of precedence, from
 * an `Authorization: Bearer` header, an `access_token` query parameter (hub
 * routes only, where browsers can't set headers), or the sign-in cookie. A
 * header or parameter that is present wins even when it is wrong: the
 * cookie is never a fallback for a refused token.
 *
 * A browser attaches the cookie to requests any page makes, so a request
 * signed in by the cookie alone is accepted only from the server's own
 * origin or one of `CORS_ORIGINS`: by its `Origin` header, or, when a
 * browser sent none, its `Sec-Fetch-Site`.
 *
 * @module
 */

import type { Context } from "hono";
import { TokenError, type TokenSecret, type VerifiedToken, verifyToken } from "../auth/tokens.ts";
import { sessionCookieToken } from "./session_cookie.ts";

/** Whether a browser page at `origin` may call this server (`host` is the request's own). */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true; // not a browser: nothing to protect against
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Whether the request comes from a page the server trusts with the cookie:
 * its own or one in `allowed`. Without an `Origin`, a browser's
 * `Sec-Fetch-Site` must say the request is its own site's, or typed in.
 */
export function fromTrustedPage(c: Context, allowed: readonly string[]): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined) return originAllowed(origin, c.req.header("host"), allowed);
  const site = c.req.header("sec-fetch-site")?.toLowerCase();
  return site === undefined || site === "same-origin" || site === "none";
}

/** Where a request's token came from. */
export type TokenSource = "header" | "query" | "cookie";

/** The token a request carries, and where from. */
export interface RequestToken {
  readonly token: string;
  readonly source: TokenSource;
}

/** Options of {@linkcode requestToken} and {@linkcode authenticateRequest}. */
export interface RequestAuthOptions {
  /** Whether `?access_token=` counts (default false: hub routes only). */
  readonly query?: boolean;
  /** Origins besides the server's own allowed to use the cookie. */
  readonly corsOrigins: readonly string[];
  /** Accept an expired token (default false; see `verifyToken`). */
  readonly allowExpired?: boolean;
}

/**
 * The token of a request, or why it has none it may use: `undefined` for
 * none at all, 403 for a cookie sent by a page the server doesn't trust.
 */
export function requestToken(
  c: Context,
  options: RequestAuthOptions,
): RequestToken | { readonly status: 401 | 403; readonly message: string } {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (token === undefined) return { status: 401, message: "Invalid Authorization header" };
    return { token, source: "header" };
  }
  const query = options.query ? c.req.query("access_token") : undefined;
  if (query !== undefined) return { token: query, source: "query" };
  const cookie = sessionCookieToken(c);
  if (cookie === undefined) return { status: 401, message: "Missing token" };
  if (!fromTrustedPage(c, options.corsOrigins)) {
    return { status: 403, message: "The sign-in cookie is not accepted from this page's origin" };
  }
  return { token: cookie, source: "cookie" };
}

/** A request's verified player, or the refusal to answer with. */
export type Authentication =
  | { readonly ok: true; readonly user: VerifiedToken; readonly source: TokenSource }
  | {
    readonly ok: false;
    readonly status: 401 | 403;
    readonly message: string;
    /** Whether the token was good but for its expiry. */
    readonly expired?: boolean;
  };

/** Finds and verifies the token of a request. */
export async function authenticateRequest(
  c: Context,
  secret: TokenSecret,
  options: RequestAuthOptions,
): Promise<Authentication> {
  const found = requestToken(c, options);
  if (!("token" in found)) return { ok: false, ...found };
  try {
    const user = await verifyToken(secret, found.token, { allowExpired: options.allowExpired });
    return { ok: true, user, source: found.source };
  } catch (error) {
    if (error instanceof TokenError) {
      return { ok: false, status: 401, message: error.message, expired: error.expired };
    }
    throw error;
  }
}
