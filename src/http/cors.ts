/**
 * Cross-origin requests for the API and the hub, from the origins in
 * `CORS_ORIGINS` only. Such a page may send its sign-in cookie too
 * (`Access-Control-Allow-Credentials: true`), so the allowed origin is
 * always named, never `*`, and a page from any other origin gets no CORS
 * header at all: its browser keeps the answer from it.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";

/** Methods a cross-origin page may use: the API's and the hub transports'. */
const METHODS = "GET, POST, DELETE";

/** How long a browser may keep a preflight's answer, in seconds. */
const MAX_AGE = "600";

/** CORS for `origins`; a preflight from any other origin gets a bare 204. */
export function corsFor(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return async function corsHandler(c, next) {
    const origin = c.req.header("origin");
    const ok = origin !== undefined && allowed.has(origin);
    const preflight = c.req.method === "OPTIONS" &&
      c.req.header("access-control-request-method") !== undefined;
    if (preflight) {
      const headers = new Headers({ Vary: "Origin" });
      if (ok) {
        headers.set("Access-Control-Allow-Origin", origin);
        headers.set("Access-Control-Allow-Credentials", "true");
        headers.set("Access-Control-Allow-Methods", METHODS);
        const asked = c.req.header("access-control-request-headers");
        if (asked !== undefined) headers.set("Access-Control-Allow-Headers", asked);
        headers.set("Access-Control-Max-Age", MAX_AGE);
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    c.header("Vary", "Origin", { append: true });
    if (ok) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Allow-Credentials", "true");
      c.header("Access-Control-Expose-Headers", "Retry-After");
    }
  };
}
