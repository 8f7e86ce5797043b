/**
 * The client's address: the socket's, or, behind a trusted proxy, the one the
 * proxy appended last to `X-Forwarded-For` (earlier entries are the client's
 * own claims and can be forged). And the `X-Forwarded-For` a server sends on
 * when it relays a request to another server.
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

/**
 * The `X-Forwarded-For` to send with a request relayed to another server:
 * its last entry is the client address as this server reads it, so a server
 * that trusts the proxy as this one does reads the same address.
 */
export function forwardedFor(c: Context, trustProxy: boolean): string {
  const forwarded = c.req.header("x-forwarded-for")?.trim();
  const address = clientAddress(c, trustProxy);
  if (forwarded === undefined || forwarded === "") return address;
  // Trusted, its last entry is the address already; else this server is the proxy.
  const last = forwarded.split(",").map((part) => part.trim()).filter(Boolean).at(-1);
  return trustProxy && last === address ? forwarded : `${forwarded}, ${address}`;
}
