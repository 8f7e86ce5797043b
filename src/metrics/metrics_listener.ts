/**
 * A listener of its own for `/metrics` (`METRICS_PORT`), so scrapers reach
 * the metrics on a private network while the public port never shows them.
 * It serves nothing else; only trusted scrapers are expected there, so the
 * runtime's own server will do.
 *
 * @module
 */

import type { Hono } from "hono";

/** Serves `/metrics` alone on a port of its own, for scrapers on a private network. */
export async function serveMetrics(
  hostname: string,
  port: number,
  routes: Hono,
): Promise<Deno.HttpServer> {
  const listening = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname, port, onListen: () => listening.resolve() }, (request) => {
    // Case-insensitive, as on the main port.
    const url = new URL(request.url);
    url.pathname = url.pathname.toLowerCase();
    return routes.fetch(new Request(url, request));
  });
  await listening.promise;
  return server;
}
