/**
 * The HTTP application: every route of the contract under case-insensitive
 * paths, CORS for the configured origins, security headers, errors as JSON,
 * and the web client's files.
 *
 * Every decision is made on one reading of the path (`request_path.ts`):
 * decoded once and normalised, so no spelling of a path routes one way and
 * looks a file up another. A path that can't be read is refused with a 400.
 * Routes match any case of it, but a file is looked up by its exact case:
 * file names are case-sensitive on the disks we serve from, so
 * `/dist/App.js` names `App.js`, never `app.js`. Only the page's files are
 * served (`public_files.ts`), never the client's sources.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { join } from "node:path";
import { DatabaseUnavailableError } from "../db/sqlite_errors.ts";
import { StaticFiles } from "./static_files.ts";
import { rawPath, readPath } from "./request_path.ts";
import { corsFor } from "./cors.ts";
import { sessionPolicy } from "./session_cookie.ts";
import { clientAddress } from "./client_address.ts";
import { getLogger } from "@logtape/logtape";
import type { ProblemLog } from "../log/problem_log.ts";
import { errorMessage, errorStack } from "../log/error_message.ts";

/** The web client's folder, found from this file, never from the working directory. */
export const STATIC_ROOT: string = join(import.meta.dirname ?? ".", "..", "..", "static");

/** The Content-Security-Policy of every response: no inline script, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/** What {@linkcode createApp} needs. */
export interface AppDeps {
  /** Sub-applications holding the routes, mounted at the root. */
  // deno-lint-ignore no-explicit-any -- sub-apps carry their own variable types
  readonly routes: readonly { path: string; app: Hono<any> }[];
  /** Origins allowed to call the API and the hub from another origin, cookie included. */
  readonly corsOrigins: readonly string[];
  /** Whether a trusted proxy's `X-Forwarded-Proto` tells an HTTPS request (default false). */
  readonly trustProxy?: boolean;
  /** Whether the sign-in cookie is always marked `Secure` (default: only over HTTPS). */
  readonly secureCookie?: boolean;
  /** Where unexpected errors go (default: the `clicker.http` logger). */
  readonly log?: ProblemLog;
  /** Where each request is told once answered; nowhere when absent. */
  readonly accessLog?: (entry: AccessEntry) => void;
  /** The web client's folder (default {@linkcode STATIC_ROOT}). */
  readonly staticRoot?: string;
}

/** One answered request, as the access log tells it. */
export interface AccessEntry {
  readonly method: string;
  /** The route that answered, as declared (`/api/rounds`, `/*`): few, unlike paths. */
  readonly route: string;
  /** The path and query, secrets redacted ({@linkcode redactUrl}). */
  readonly path: string;
  readonly status: number;
  /** From the request's arrival to its answer, in ms. */
  readonly durationMs: number;
  /** The client's address (`X-Forwarded-For`'s with `TRUST_PROXY`). */
  readonly client: string;
}

/**
 * Removes secrets from a URL before it is logged: the token (`access_token`)
 * and the random part of a connection token (`id`); a connection token's
 * `<serverId>.` prefix stays, since it only names the server that holds the
 * connection (`connection_token.ts`).
 */
export function redactUrl(pathAndQuery: string): string {
  // The name is compared decoded: the router decodes `%61ccess_token` too.
  return pathAndQuery.replace(
    /([?&])([^=&#]*)=([^&#]*)/g,
    (whole, separator: string, name: string, value: string) => {
      const key = percentDecoded(name).toLowerCase();
      if (key === "access_token") return `${separator}${name}=[redacted]`;
      if (key !== "id") return whole;
      const owner = /^[A-Za-z0-9_.-]*\./.exec(percentDecoded(value))?.[0] ?? "";
      return `${separator}${name}=${owner}[redacted]`;
    },
  );
}

function percentDecoded(text: string): string {
  // Byte by byte, so a malformed sequence can't make decoding throw.
  const byte = (_: string, hex: string) => String.fromCharCode(parseInt(hex, 16));
  return text.replaceAll("+", " ").replace(/%([0-9a-f]{2})/gi, byte);
}

/** Builds the whole HTTP application. */
export function createApp(deps: AppDeps): Hono {
  const log = deps.log ?? getLogger(["clicker", "http"]);
  const files = new StaticFiles(deps.staticRoot ?? STATIC_ROOT);
  // Paths are case-insensitive, as in the ASP.NET original. One that can't
  // be read routes as sent, to the 400 below.
  const app = new Hono({
    getPath: (request) => (readPath(request.url) ?? rawPath(request.url)).toLowerCase(),
  });

  if (deps.accessLog) {
    const log = deps.accessLog;
    app.use(async (c, next) => {
      const start = performance.now();
      await next();
      const url = new URL(c.req.url);
      log({
        method: c.req.method,
        route: c.req.routePath,
        path: redactUrl(url.pathname + url.search),
        status: c.res.status,
        durationMs: Math.round((performance.now() - start) * 10) / 10,
        client: clientAddress(c, deps.trustProxy ?? false),
      });
    });
  }

  app.use(async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
  });

  app.use(async (c, next) => {
    if (readPath(c.req.url) !== undefined) return await next();
    return c.json({
      message: "Cannot read request path: bad percent-encoding or control character",
    }, 400);
  });

  app.use(sessionPolicy({
    corsOrigins: deps.corsOrigins,
    trustProxy: deps.trustProxy ?? false,
    secureCookie: deps.secureCookie ?? false,
  }));
  if (deps.corsOrigins.length > 0) {
    const cors = corsFor(deps.corsOrigins);
    app.use("/api/*", cors);
    app.use("/game/*", cors);
  }

  for (const { path, app: routes } of deps.routes) app.route(path, routes);

  for (const prefix of ["/api/*", "/game/*"]) {
    app.all(prefix, (c) => c.json({ message: `No route ${c.req.method} ${c.req.path}` }, 404));
  }
  // Only the page's files, compressed, tagged and cached as `static_files.ts`
  // says; the client's sources are served compiled, from dist/, never as they are.
  app.get("/*", async (c, next) => {
    return await files.respond(c.req.raw, readPath(c.req.url)!) ?? await next();
  });
  // Any other page path shows the game, so a bookmarked or mistyped URL still plays.
  app.get("*", async (c, next) => {
    if (/\.[a-z0-9]+$/.test(c.req.path)) return c.json({ message: "Not found" }, 404);
    return await files.respond(c.req.raw, "/index.html") ?? await next();
  });
  app.notFound((c) => c.json({ message: "Not found" }, 404));

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return c.json({ message: error.message || "Bad request" }, error.status);
    }
    // A locked, full or vanished database is the server's trouble, not a bug:
    // the client may try again later. The details go to the log only.
    if (error instanceof DatabaseUnavailableError) {
      log.error("Database unavailable", {
        method: c.req.method,
        path: c.req.path,
        error: errorMessage(error),
      });
      return c.json({ message: "The game's database is unavailable; try again later" }, 503);
    }
    log.error("Cannot answer request", {
      method: c.req.method,
      path: c.req.path,
      error: errorMessage(error),
      stack: errorStack(error),
    });
    return c.json({ message: "Internal server error" }, 500);
  });

  return app;
}
