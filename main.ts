/**
 * Starts the Clicker server: reads the configuration, prints where it
 * listens, and shuts down in order on SIGINT, SIGTERM or SIGHUP. An
 * unhandled rejection is logged and the server goes on.
 *
 * @module
 */

import { ConfigError, parseConfig } from "./src/config.ts";
import { DatabaseOpenError } from "./src/db/open_database.ts";
import { startServer } from "./src/server.ts";
import { UnsavedRoundsError } from "./src/round_loop.ts";
import { formatListeningLine } from "./src/listening_line.ts";
import { keepServingOnUnhandledRejection } from "./src/unhandled_rejections.ts";

// SIGHUP too: its default would kill the process mid-round, losing the round.
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Runs the server until a signal stops it. */
export async function main(args: string[]): Promise<number> {
  const stopGuard = keepServingOnUnhandledRejection();
  try {
    return await run(args);
  } finally {
    stopGuard();
  }
}

async function run(args: string[]): Promise<number> {
  let config;
  try {
    config = parseConfig(Deno.env.toObject(), args);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`clicker: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let server;
  try {
    server = await startServer(config, {
      accessLog: (line) => console.log(line),
      afterClose: crashAfterClose(Deno.env.get("CLICKER_TEST_CRASH_AFTER_CLOSE")),
    });
  } catch (error) {
    if (error instanceof DatabaseOpenError || error instanceof Deno.errors.AddrInUse) {
      console.error(`clicker: ${error.message}`);
      return 1;
    }
    throw error;
  }
  // Listen for signals before saying where we listen: whoever reads that line may signal at once.
  const { promise: stopped, resolve } = Promise.withResolvers<void>();
  const stop = () => resolve();
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, stop);
  console.log(formatListeningLine(server.url));
  await stopped;
  console.log("Shutting down");
  const forced = setTimeout(() => {
    console.error("clicker: shutdown took over 5 s; exiting anyway");
    Deno.exit(1);
  }, 5000);
  let code = 0;
  try {
    await server.shutdown();
  } catch (error) {
    if (!(error instanceof UnsavedRoundsError)) throw error;
    console.error(`clicker: ${error.message}`);
    code = 1;
  }
  clearTimeout(forced);
  for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, stop);
  return code;
}

/**
 * Test-only, with several servers: the server that closes round `raw` dies
 * at once (SIGKILL, as `kill -9`), between closing the round and recording
 * it, so a test can check the next leader records it once.
 */
function crashAfterClose(raw: string | undefined): ((id: number) => void) | undefined {
  if (raw === undefined || raw === "") return undefined;
  const round = Number(raw);
  return (id) => {
    if (id === round) Deno.kill(Deno.pid, "SIGKILL");
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
