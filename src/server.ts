/**
 * Builds the server from its configuration and connects the pieces: the
 * database, the token secret, the hub and its connections, the round loop
 * and the HTTP application, all served by {@linkcode serve}.
 *
 * @module
 */

import type { Kysely } from "kysely";
import { Metrics } from "./metrics/metrics.ts";
import { serveMetrics } from "./metrics/metrics_listener.ts";
import { dependenciesUp } from "./metrics/dependencies_up.ts";
import { metricsRoutes } from "./http/metrics_routes.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/schema.ts";
import { settleSetting } from "./db/settings.ts";
import { winsOf } from "./db/accounts.ts";
import { generateSecret, tokenKey } from "./auth/tokens.ts";
import type { HashParameters } from "./auth/passwords.ts";
import { Hub } from "./hub/hub.ts";
import { hubRoutes } from "./hub/transport.ts";
import { accountRoutes } from "./http/account_routes.ts";
import { sessionRoutes } from "./http/session_routes.ts";
import { statsRoutes } from "./http/stats_routes.ts";
import { type AccessEntry, createApp } from "./http/app.ts";
import { getLogger } from "@logtape/logtape";
import { newServerId } from "./server_id.ts";
import { VERSION } from "./version.ts";
import type { ProblemLog } from "./log/problem_log.ts";
import { serve, type Served } from "./http/serve.ts";
import type { RoundLoop } from "./single/round_loop.ts";
import { openGameBackend, type RoundLoopHealth } from "./game_backend.ts";
import type { Sleep } from "./sleep.ts";

const shutdownLog = getLogger(["clicker", "shutdown"]);

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** In a single process, the round loop to run (default: a new one). */
  readonly loop?: RoundLoop;
  /** Where each answered request is told (default: nowhere). */
  readonly accessLog?: (entry: AccessEntry) => void;
  /** Where every part reports trouble (default: each part's own category of the `clicker` logger). */
  readonly log?: ProblemLog;
  /** How long shutdown waits for HTTP requests in flight, in ms (default 2000). */
  readonly drainMs?: number;
  /** How long a connection may take to send a request head, in ms (default 5000). */
  readonly headersTimeoutMs?: number;
  /** The Argon2id cost of new password hashes (default: OWASP's); tests pass a cheap one. */
  readonly hashParameters?: HashParameters;
  /** With several servers: called right after this server closed round `id`, before recording it. */
  readonly afterClose?: (id: number) => void;
  /** The hub's clock: when tokens expire, when clients fell silent (default `Date.now`). */
  readonly now?: () => number;
  /** The hub's waits: keep-alive ticks, `Race` and `Standing` throttles (default plain timers), driven with `now`. */
  readonly sleep?: Sleep;
}

/** What an operator can ask a running server; `/healthz` reports the same. */
export interface ServerHealth {
  /** The round in progress and the round loop's state. */
  readonly roundLoop: RoundLoopHealth;
  /** Players with an open connection, and the open connections. */
  readonly online: { readonly players: number; readonly connections: number };
}

/** A running server. */
export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8000/`. */
  readonly url: URL;
  /** Where `/metrics` is served with `METRICS_PORT`; `undefined`: at `url`. */
  readonly metricsUrl?: URL;
  /** The database, open until shutdown. */
  readonly db: Kysely<Database>;
  /** The HTTP listener's connections: open now, the cap in force, shed so far. */
  readonly http: Pick<Served, "connections" | "maxConnections" | "shed">;
  /** The round loop's state and who is online, read now. */
  health(): ServerHealth;
  /**
   * Stops taking connections, finishes the unit of work in flight and saves
   * the round in progress, closes sockets with 1001, closes the database.
   * Rejects with `UnsavedRoundsError` (after closing all) when the database
   * did not take that last save. Safe to call twice.
   */
  shutdown(): Promise<void>;
}

/** Starts the whole server and resolves once it listens. */
export async function startServer(
  config: Config,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const startedAt = performance.now();
  // Named once, here when `main.ts` didn't: the health checks, Redis and the log all say it.
  const serverId = config.serverId ?? newServerId();
  config = Object.freeze({ ...config, serverId });
  const identity = {
    serverId,
    version: VERSION,
    mode: config.redisUrl === undefined ? "single" as const : "cluster" as const,
    uptime: () => Math.round((performance.now() - startedAt) / 1000),
  };
  let metrics: Metrics | undefined;
  const backend = await openGameBackend(config, {
    loop: options.loop,
    log: options.log,
    afterClose: options.afterClose,
    roundEnded: (lateness, fanout) => metrics?.roundEnded(lateness, fanout),
  });
  const db = backend.db;
  let metricsServer: Deno.HttpServer | undefined;
  try {
    const secret = await tokenKey(
      config.jwtSecret ?? await settleSetting(db, "jwt_secret", generateSecret()),
    );
    const hub = new Hub({
      game: backend.game,
      lastRound: backend.lastRound,
      roundDurationMs: backend.roundDurationMs,
      playersOnline: backend.playersOnline,
      log: options.log,
      reconnectWindowMs: config.reconnectWindowMs,
      now: options.now,
      sleep: options.sleep,
    });
    const online = () => ({ players: hub.registry.online, connections: hub.registry.size });
    metrics = new Metrics({
      ...identity,
      counts: hub.counts,
      connections: () => hub.registry.values(),
      playersHere: () => hub.registry.playersHere,
      unrecorded: () => backend.loopHealth().unrecorded,
      leader: () => backend.leadership().leading,
      leaderChanges: () => backend.leadership().changes,
      dependencies: () => dependenciesUp(db, backend.cluster),
    });
    const scrape = metricsRoutes({ metrics, token: config.metricsToken });
    if (config.metricsPort !== undefined) {
      metricsServer = await serveMetrics(config.host, config.metricsPort, scrape);
    }
    await backend.start(hub);
    const served = metrics;
    const accessLog = (entry: AccessEntry) => {
      served.request(entry.route, entry.status, entry.durationMs / 1000);
      options.accessLog?.(entry);
    };
    const app = createApp({
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      secureCookie: config.cookieSecure,
      log: options.log,
      accessLog,
      routes: [
        // On the main port unless METRICS_PORT gives them one of their own (then 404 here).
        { path: "/", app: metricsServer ? metricsRoutes({}) : scrape },
        {
          path: "/api/account",
          app: accountRoutes({
            db,
            secret,
            tokenTtlMinutes: config.tokenTtlMinutes,
            loginAttempts: config.loginAttempts,
            registrationsPerHour: config.registrationsPerHour,
            hashQueue: config.hashQueue,
            hashQueuePerAddress: config.hashQueuePerAddress,
            hashParameters: options.hashParameters,
            trustProxy: config.trustProxy,
            attempts: backend.attempts,
            renewed: (playerId, expiresAt) => hub.registry.extendExpiry(playerId, expiresAt),
          }),
        },
        { path: "/api/account", app: sessionRoutes({ db, secret }) },
        {
          path: "/",
          app: statsRoutes({
            db,
            loopHealth: backend.loopHealth,
            online,
            cluster: backend.cluster,
            identity,
          }),
        },
        {
          path: "/",
          app: hubRoutes({
            hub,
            secret,
            winsOf: (id) => winsOf(db, id),
            corsOrigins: config.corsOrigins,
            budget: {
              messagesPerSecond: config.maxMessagesPerSecond,
              bytesPerSecond: config.maxBytesPerSecond,
            },
            statefulReconnect: config.reconnectWindowMs > 0,
            shared: backend.cluster !== undefined,
            serverId: backend.serverId,
            relay: backend.relay,
            trustProxy: config.trustProxy,
          }),
        },
      ],
    });
    const server = await serve({
      hostname: config.host,
      port: config.port,
      maxConnections: config.maxConnections,
      headersTimeoutMs: options.headersTimeoutMs,
      fetch: (request, env) => app.fetch(request, env),
      log: options.log,
    });
    backend.listening(server.hostname, server.port);
    const url = listenedAt(server);

    let stopping: Promise<void> | undefined;
    const shutdown = () =>
      stopping ??= (async () => {
        // The unit of work in flight finishes and its EndRound goes out; then
        // every socket closes (1001, may reconnect) so no click lands after
        // the round in progress is saved; then the HTTP server stops.
        // A failed last save (UnsavedRoundsError) still closes everything, then is thrown.
        let unsaved: Error | undefined;
        const step = async (name: string, work: () => Promise<void>) => {
          const start = performance.now();
          await work();
          const durationMs = Math.round(performance.now() - start);
          shutdownLog.info(`shutdown: ${name}`, { step: name, durationMs });
        };
        await step("game stopped, sockets closed", async () => {
          await backend.stop(() => {
            shutdownLog.info("shutdown: closing sockets", { connections: hub.registry.size });
            hub.registry.closeAll();
          }).catch((error: Error) => unsaved = error);
        });
        await step("HTTP drained", () => server.close(options.drainMs ?? 2000));
        await metricsServer?.shutdown();
        served.stop();
        await step("database closed", () => db.destroy());
        if (unsaved) throw unsaved;
      })();
    const health = () => ({ roundLoop: backend.loopHealth(), online: online() });
    const metricsUrl = metricsServer && listenedAt(metricsServer.addr as Deno.NetAddr);
    return { url, metricsUrl, db, http: server, health, shutdown };
  } catch (error) {
    await metricsServer?.shutdown();
    metrics?.stop();
    await backend.stop(() => {}).catch(() => {}); // the start-up error is the one to report
    await db.destroy();
    throw error;
  }
}

/** `http://host:port/` for an address listened on. */
function listenedAt(address: { readonly hostname: string; readonly port: number }): URL {
  const { hostname, port } = address;
  const shownHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  return new URL(`http://${shownHost}:${port}/`);
}
