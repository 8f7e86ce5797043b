/**
 * `GET /metrics`: the server's Prometheus metrics, in the text format
 * (0.0.4). With a token set, a scrape must bring it as
 * `Authorization: Bearer <token>`, or gets 401. Without metrics here (they
 * are served on a port of their own) the path answers 404, never the page.
 *
 * @module
 */

import { Hono } from "hono";
import { timingSafeEqual } from "node:crypto";

/** What {@linkcode metricsRoutes} needs. */
export interface MetricsRouteDeps {
  /** The metrics to serve; `undefined` when another listener serves them. */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
  /** The bearer token a scrape must bring (default: none needed). */
  readonly token?: string;
}

/** Whether `header` is `Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const given = new TextEncoder().encode(match[1]);
  const expected = new TextEncoder().encode(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The `/metrics` route. */
export function metricsRoutes(deps: MetricsRouteDeps): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    const { metrics, token } = deps;
    if (metrics === undefined) return c.json({ message: "Not found" }, 404);
    if (token !== undefined && !bearerMatches(c.req.header("authorization"), token)) {
      c.header("WWW-Authenticate", 'Bearer realm="metrics"');
      return c.json({ message: "The metrics need a bearer token" }, 401);
    }
    return c.body(await metrics.render(), 200, {
      "Content-Type": metrics.contentType,
      "Cache-Control": "no-store",
    });
  });
  return app;
}
