/**
 * The HTTP application with its real account and stats routes over a
 * `:memory:` database, called through Hono's in-memory `app.request()`: no
 * socket, no round loop, no hub. Password hashes are cheap unless a test asks
 * for another cost.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import { openDatabase } from "../../src/db/open_database.ts";
import { generateSecret } from "../../src/auth/tokens.ts";
import { type AccountDeps, accountRoutes } from "../../src/http/account_routes.ts";
import { type ServerIdentity, statsRoutes } from "../../src/http/stats_routes.ts";
import type { ClusterHealth } from "../../src/cluster/cluster.ts";
import { createApp } from "../../src/http/app.ts";
import type { RoundLoopHealth } from "../../src/game_backend.ts";
import { CHEAP_HASH } from "../support/test_server.ts";
import { quietLog } from "../../src/log/problem_log.ts";

/** The health of a round loop that is running and has nothing left to record. */
export const RUNNING_LOOP: RoundLoopHealth = Object.freeze({
  running: true,
  roundId: 1,
  roundEndsAt: 30_000,
  unrecorded: 0,
  lastUnitOfWork: null,
});

/** Options of {@linkcode memoryApp}. */
export interface MemoryAppOptions {
  /** Overrides of the account routes' settings (default: the server's defaults, cheap hashes). */
  readonly accounts?: Partial<AccountDeps>;
  /** The round loop's state `/healthz` reports (default {@linkcode RUNNING_LOOP}). */
  readonly loopHealth?: () => RoundLoopHealth;
  /** The web client's folder (default: the repository's `static/`). */
  readonly staticRoot?: string;
  /** With several servers: the role and Redis's state the health checks report. */
  readonly cluster?: () => Promise<ClusterHealth>;
  /** Who answers the health checks (default: no one named). */
  readonly identity?: ServerIdentity;
}

/** The application under test and what it runs on. */
export interface MemoryApp {
  readonly db: Kysely<Database>;
  /** The token secret the login route signs with. */
  readonly secret: string;
  /** Sends a request in memory, from `address` (default 127.0.0.1). */
  request(path: string, init?: RequestInit, address?: string): Promise<Response>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** Builds the application on a fresh `:memory:` database. */
export async function memoryApp(options: MemoryAppOptions = {}): Promise<MemoryApp> {
  const db = await openDatabase(":memory:");
  const secret = generateSecret();
  const app = createApp({
    corsOrigins: [],
    log: quietLog,
    staticRoot: options.staticRoot,
    routes: [
      {
        path: "/api/account",
        app: accountRoutes({
          db,
          secret,
          tokenTtlMinutes: 30,
          loginAttempts: 5,
          registrationsPerHour: 30,
          trustProxy: false,
          hashParameters: CHEAP_HASH,
          ...options.accounts,
        }),
      },
      {
        path: "/",
        app: statsRoutes({
          db,
          loopHealth: options.loopHealth ?? (() => RUNNING_LOOP),
          online: () => ({ players: 0, connections: 0 }),
          cluster: options.cluster,
          identity: options.identity,
        }),
      },
    ],
  });
  return {
    db,
    secret,
    async request(path, init, address = "127.0.0.1") {
      // The same `c.env` the listener hands the app, so limits see an address.
      return await app.request(path, init, { remoteAddr: { hostname: address, port: 1 } });
    },
    close: () => db.destroy(),
  };
}
