/**
 * The client's address: the socket's, or, behind a trusted proxy, the one the
 * proxy appended last to `X-Forwarded-For` (earlier entries are the client's
 * own claims and can be forged).
 *
 * @module
 */

import type { Context } from "hono";

/** Reads the client address of a request. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for");
    const last = forwarded?.split(",").map((part) => part.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}
