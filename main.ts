/**
 * Starts the Clicker server: reads the configuration, prints where it
 * listens, and shuts down in order on SIGINT, SIGTERM or SIGHUP. An
 * unhandled rejection is logged and the server goes on.
 *
 * @module
 */

import { ConfigError, parseConfig } from "./src/config.ts";
import { DatabaseOpenError } from "./src/db/open_database.ts";
import { type ServerOptions, startServer } from "./src/server.ts";
import { UnsavedRoundsError } from "./src/single/round_loop.ts";
import { formatListeningLine } from "./src/listening_line.ts";
import { getConfig, getLogger } from "@logtape/logtape";
import { setUpLogging } from "./src/log/logging.ts";
import { configFields } from "./src/log/config_fields.ts";
import { errorMessage } from "./src/log/error_message.ts";
import { newServerId } from "./src/server_id.ts";
import { VERSION } from "./src/version.ts";
import { requestLevel } from "./src/log/request_level.ts";
import { keepServingOnUnhandledRejection } from "./src/unhandled_rejections.ts";

// SIGHUP too: its default would kill the process mid-round, losing the round.
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const log = getLogger(["clicker"]);
const accessLog = getLogger(["clicker", "http"]);

/**
 * Runs the server until a signal stops it. `options` go to `startServer`
 * alongside the access log (default: none more); an entry point that wraps
 * this one may pass hooks there.
 */
export async function main(args: string[], options: ServerOptions = {}): Promise<number> {
  // Into the log once it is set up; before that, a plain line like the other start-up failures.
  const stopGuard = keepServingOnUnhandledRejection((line) =>
    getConfig() === null ? console.error(line) : log.error(line.replace(/^clicker: /, ""))
  );
  try {
    return await run(args, options);
  } finally {
    stopGuard();
  }
}

async function run(args: string[], options: ServerOptions): Promise<number> {
  let config;
  try {
    config = parseConfig(Deno.env.toObject(), args);
  } catch (error) {
    // Said in one plain line: a server that never started has no log to join.
    if (error instanceof ConfigError) {
      console.error(`clicker: ${error.message}`);
      return 2;
    }
    throw error;
  }
  // Named before anything logs, so every line carries the name.
  config = Object.freeze({ ...config, serverId: config.serverId ?? newServerId() });
  setUpLogging({ format: config.logFormat, level: config.logLevel, serverId: config.serverId });
  let server;
  try {
    server = await startServer(config, {
      accessLog: (entry) =>
        accessLog[requestLevel(entry.route, entry.status)]("request", { ...entry }),
      ...options,
    });
  } catch (error) {
    if (error instanceof DatabaseOpenError || error instanceof Deno.errors.AddrInUse) {
      console.error(`clicker: ${error.message}`);
      return 1;
    }
    throw error;
  }
  // Listen for signals before saying where we listen: whoever reads that line may signal at once.
  const { promise: stopped, resolve } = Promise.withResolvers<Deno.Signal>();
  const stops = STOP_SIGNALS.map((signal) => [signal, () => resolve(signal)] as const);
  for (const [signal, stop] of stops) Deno.addSignalListener(signal, stop);
  log.info("started", {
    version: VERSION,
    mode: config.redisUrl === undefined ? "single" : "cluster",
    url: server.url.href,
    metricsUrl: server.metricsUrl?.href,
    config: configFields(config),
  });
  console.log(formatListeningLine(server.url));
  const signal = await stopped;
  log.info("shutting down", { signal });
  const started = performance.now();
  const forced = setTimeout(() => {
    log.error("shutdown took over 5 s; exiting anyway");
    Deno.exit(1);
  }, 5000);
  let code = 0;
  try {
    await server.shutdown();
  } catch (error) {
    if (!(error instanceof UnsavedRoundsError)) throw error;
    log.error(errorMessage(error));
    code = 1;
  }
  clearTimeout(forced);
  for (const [signal, stop] of stops) Deno.removeSignalListener(signal, stop);
  log.info("stopped", { code, durationMs: Math.round(performance.now() - started) });
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
