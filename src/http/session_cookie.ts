/**
 * The sign-in cookie, as ASP.NET Core Identity sets its own: login puts the
 * session token in an `HttpOnly`, `SameSite=Lax` cookie for the whole site,
 * `Secure` when the request came over HTTPS (by a trusted proxy's
 * `X-Forwarded-Proto`) or when the server is told to always mark it so;
 * logout clears it. Page script can't read it, so a token in it can't leak
 * through the page.
 *
 * How to mark the cookie is the server's configuration: {@linkcode
 * sessionPolicy} puts it on each request's context once, so any route can
 * call {@linkcode setSessionCookie} and {@linkcode clearSessionCookie}.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";

/** The cookie's name. */
export const SESSION_COOKIE = "clicker_session";

/** How the server treats sign-in cookies and the pages that send them. */
export interface SessionPolicy {
  /** Origins besides the server's own whose requests may be signed in by the cookie. */
  readonly corsOrigins: readonly string[];
  /** Whether `X-Forwarded-Proto` is to be believed (behind a trusted proxy). */
  readonly trustProxy: boolean;
  /** Whether the cookie is always marked `Secure`, whatever the request came over. */
  readonly secureCookie: boolean;
}

/** The policy of a request that went through no {@linkcode sessionPolicy}. */
const DEFAULT_POLICY: SessionPolicy = Object.freeze({
  corsOrigins: [],
  trustProxy: false,
  secureCookie: false,
});

const POLICY_KEY = "sessionPolicy";

/** Middleware putting `policy` on every request's context, for the functions below. */
export function sessionPolicy(policy: SessionPolicy): MiddlewareHandler {
  return async function sessionPolicyHandler(c, next) {
    c.set(POLICY_KEY, policy);
    await next();
  };
}

/** The policy in force for this request. */
export function policyOf(c: Context): SessionPolicy {
  return (c.get(POLICY_KEY) as SessionPolicy | undefined) ?? DEFAULT_POLICY;
}

/** Whether the request reached the server over HTTPS, as far as the server can tell. */
export function requestIsHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  if (!policyOf(c).trustProxy) return false;
  // The client-facing proxy's value comes first in a list.
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  return proto === "https";
}

function cookie(c: Context, value: string, expires: Date): string {
  const secure = policyOf(c).secureCookie || requestIsHttps(c);
  return `${SESSION_COOKIE}=${value}; Path=/; Expires=${expires.toUTCString()}; HttpOnly` +
    `${secure ? "; Secure" : ""}; SameSite=Lax`;
}

/** Signs the browser in: the cookie holds `token` until `expiresAt` (epoch ms). */
export function setSessionCookie(c: Context, token: string, expiresAt: number): void {
  c.header("Set-Cookie", cookie(c, encodeURIComponent(token), new Date(expiresAt)), {
    append: true,
  });
}

/** Signs the browser out: the cookie is emptied and expired. */
export function clearSessionCookie(c: Context): void {
  c.header("Set-Cookie", cookie(c, "", new Date(0)) + "; Max-Age=0", { append: true });
}

/** The token in the request's sign-in cookie, if it has one. */
export function sessionCookieToken(c: Context): string | undefined {
  const value = getCookie(c, SESSION_COOKIE);
  return value === undefined || value === "" ? undefined : value;
}
