/**
 * Starts the real server in this process on 127.0.0.1, port 0, with a fresh
 * SQLite file and its own round loop, for tests.
 *
 * @module
 */

import { join } from "node:path";
import { parseConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { RoundLoop } from "../../src/single/round_loop.ts";
import type { HashParameters } from "../../src/auth/passwords.ts";
import { quietLog } from "../../src/log/problem_log.ts";
import type { Sleep } from "../../src/sleep.ts";

/**
 * An Argon2id cost some 600 times cheaper than production's, for
 * tests that register many players; tests of the hash line keep the default.
 */
export const CHEAP_HASH: HashParameters = Object.freeze({ memory: 64, passes: 1, parallelism: 1 });

/** Options of {@linkcode startTestServer}. */
export interface TestServerOptions {
  /** Round length in seconds (default 30). */
  readonly roundSeconds?: number;
  /** More environment variables of the contract. */
  readonly env?: Record<string, string>;
  /** Use this database file instead of a new one. */
  readonly databasePath?: string;
  /** How long a connection may take to send a request head, in ms (default 5000). */
  readonly headersTimeoutMs?: number;
  /** The Argon2id cost of new hashes (default: production's), e.g. {@linkcode CHEAP_HASH}. */
  readonly hashParameters?: HashParameters;
  /** The hub's clock (default `Date.now`): tests move it on to expire tokens at once. */
  readonly now?: () => number;
  /** The hub's waits: keep-alive ticks, `Race` and `Standing` throttles (default plain timers), driven with `now`. */
  readonly sleep?: Sleep;
}

/** A server started for a test. */
export interface TestServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly databasePath: string;
  readonly server: RunningServer;
  /** Shuts the server down and removes its files (unless the path was given). */
  stop(): Promise<void>;
}

/** Starts a real server for a test. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.databasePath ? undefined : await Deno.makeTempDir({ prefix: "clicker-" });
  const databasePath = options.databasePath ?? join(dir!, "clicker.db");
  const config = parseConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
    ROUND_SECONDS: String(options.roundSeconds ?? 30),
    ...options.env,
  });
  const server = await startServer(config, {
    loop: new RoundLoop(),
    log: quietLog,
    headersTimeoutMs: options.headersTimeoutMs,
    hashParameters: options.hashParameters,
    now: options.now,
    sleep: options.sleep,
  });
  return {
    url: server.url.href,
    databasePath,
    server,
    async stop() {
      try {
        await server.shutdown();
      } finally {
        if (dir) await Deno.remove(dir, { recursive: true });
      }
    },
  };
}
