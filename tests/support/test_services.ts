/**
 * Redis and PostgreSQL owned by one test process: `.ci/services.sh` starts
 * them in a temporary folder of their own, on free ports, and the process
 * that started them stops them. A watcher in a session of its own stops them
 * too, should that process die first (interrupted, killed): no run leaves
 * them behind, and none touches servers it did not start.
 *
 * @module
 */

import { join } from "node:path";
import { freePorts } from "./free_ports.ts";

const SCRIPT = join(import.meta.dirname!, "..", "..", ".ci", "services.sh");
/** `.ci/services.sh start`'s exit code when a port is taken. */
const PORT_TAKEN = 3;
/**
 * Waits for process `$1` to end, then stops the services of folder `$3`
 * with script `$2` and removes the folder.
 */
const WATCH =
  'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" stop "$3"; rm -rf -- "$3"';

/** The environment variables through which a test run hands its services to the test files. */
export const SERVICES_ENV = Object.freeze({
  redisUrl: "CLICKER_TEST_REDIS_URL",
  databaseUrl: "CLICKER_TEST_DATABASE_URL",
  dir: "CLICKER_TEST_SERVICES_DIR",
});

/** Where the services listen. */
export interface ServiceUrls {
  /** `redis://127.0.0.1:PORT` (no database index). */
  readonly redisUrl: string;
  /** `postgres://clicker@127.0.0.1:PORT/clicker`, the maintenance database. */
  readonly databaseUrl: string;
}

/** Services this process started, and how to stop them. */
export interface OwnedServices extends ServiceUrls {
  /** The folder that holds their data, pid files and logs. */
  readonly dir: string;
  /** Stops both and removes {@linkcode OwnedServices.dir}; safe to call twice. */
  stop(): Promise<void>;
  /** As {@linkcode OwnedServices.stop}, blocking: for an `unload` handler. */
  stopSync(): void;
}

/** Options of {@linkcode startServices}. */
export interface StartServicesOptions {
  /** Tries with other free ports when one was taken meanwhile (default 5). */
  readonly attempts?: number;
  /** Gives up on a start that takes longer (default 180 s: a first start may install them). */
  readonly timeoutMs?: number;
}

/** Starts Redis and PostgreSQL on free ports, in a new temporary folder, owned by this process. */
export async function startServices(options: StartServicesOptions = {}): Promise<OwnedServices> {
  const { attempts = 5, timeoutMs = 180_000 } = options;
  const dir = await Deno.makeTempDir({ prefix: "clicker-services-" });
  // Before starting: a process that dies while they start leaves nothing either.
  await watchOwner(Deno.pid, dir);
  try {
    for (let attempt = 1;; attempt++) {
      const [redisPort, pgPort] = freePorts(2);
      const { code, stdout, stderr } = await new Deno.Command("bash", {
        args: [SCRIPT, "start", dir],
        env: { REDIS_PORT: String(redisPort), PG_PORT: String(pgPort) },
        stdin: "null",
        signal: AbortSignal.timeout(timeoutMs),
      }).output();
      const text = new TextDecoder().decode(stdout);
      if (code === 0) return owned(dir, parseUrls(text));
      const why = new TextDecoder().decode(stderr).trim();
      if (code !== PORT_TAKEN || attempt >= attempts) {
        throw new Error(
          `Cannot start the test services: .ci/services.sh exited with ${code}: ${why}`,
        );
      }
      // A port was taken between choosing it and starting: free the other one, choose again.
      await runStop(dir);
    }
  } catch (error) {
    try {
      stopSync(dir);
    } catch { /* the start's error says more */ }
    throw error;
  }
}

/** Reads `REDIS_URL=…` and `DATABASE_URL=…` lines, as `.ci/services.sh start` prints them. */
export function parseUrls(text: string): ServiceUrls {
  const value = (name: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
    if (!line) throw new SyntaxError(`Cannot read the service URLs: no ${name} in "${text}"`);
    return line.slice(name.length + 1).trim();
  };
  return { redisUrl: value("REDIS_URL"), databaseUrl: value("DATABASE_URL") };
}

function owned(dir: string, urls: ServiceUrls): OwnedServices {
  let stopped: Promise<void> | undefined;
  return {
    ...urls,
    dir,
    stop: () =>
      stopped ??= (async () => {
        await runStop(dir);
        await Deno.remove(dir, { recursive: true }).catch(ignoreNotFound);
      })(),
    stopSync: () => stopSync(dir),
  };
}

async function runStop(dir: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("bash", {
    args: [SCRIPT, "stop", dir],
    stdin: "null",
    stdout: "null",
  }).output();
  if (code !== 0) throw new Error(stopFailed(dir, code, stderr));
}

function stopSync(dir: string): void {
  const { code, stderr } = new Deno.Command("bash", {
    args: [SCRIPT, "stop", dir],
    stdin: "null",
    stdout: "null",
  }).outputSync();
  if (code !== 0) throw new Error(stopFailed(dir, code, stderr));
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch (error) {
    ignoreNotFound(error);
  }
}

function stopFailed(dir: string, code: number, stderr: Uint8Array): string {
  const why = new TextDecoder().decode(stderr).trim();
  return `Cannot stop the test services in ${dir}: .ci/services.sh exited with ${code}: ${why}`;
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}

/**
 * Starts the watcher: `setsid -f` puts it in a session of its own, so the
 * Ctrl-C or the kill that ends this process's group does not end it too.
 */
async function watchOwner(pid: number, dir: string): Promise<void> {
  const { code } = await new Deno.Command("setsid", {
    args: ["-f", "bash", "-c", WATCH, "clicker-services-watch", String(pid), SCRIPT, dir],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (code !== 0) throw new Error(`Cannot start the watcher of ${dir}: setsid exited with ${code}`);
}
