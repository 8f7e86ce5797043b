/**
 * Runs `main.ts` as a child process, for tests of start-up, signals and
 * crashes. Resolves once the server printed its `Listening on` line.
 *
 * @module
 */

import { join } from "node:path";
import { parseListeningLine } from "../../src/listening_line.ts";
import { temporaryFolder } from "./temp_folder.ts";

const MAIN = join(import.meta.dirname!, "..", "..", "main.ts");

/** Options of {@linkcode spawnServer}. */
export interface SpawnOptions {
  /** More environment variables of the contract. */
  readonly env?: Record<string, string>;
  /** Port to listen on (default 0: a free one). */
  readonly port?: number;
  /** The database file (default: a new one in a temporary folder, removed when the test process ends). */
  readonly databasePath?: string;
  /** Round length in seconds (default 30). */
  readonly roundSeconds?: number;
  /** The process's open-file limit, set with `prlimit` (default: inherited). */
  readonly fileLimit?: number;
  /** The module to run instead of `main.ts`: a test's own entry point that runs `main()`. */
  readonly entry?: string;
  /** `deno run`'s flags before the module (default `-A`). */
  readonly denoFlags?: readonly string[];
}

/** A server running in a child process. */
export interface SpawnedServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** The child's process id, for signals that don't stop it (SIGSTOP, SIGCONT). */
  readonly pid: number;
  readonly databasePath: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Starts `main.ts` in a child process. */
export async function spawnServer(options: SpawnOptions = {}): Promise<SpawnedServer> {
  const databasePath = options.databasePath ??
    join(await temporaryFolder("clicker-"), "clicker.db");
  const deno = [Deno.execPath(), "run", ...options.denoFlags ?? ["-A"], options.entry ?? MAIN];
  const command = options.fileLimit === undefined
    ? deno
    : ["prlimit", `--nofile=${options.fileLimit}:${options.fileLimit}`, "--", ...deno];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env: {
      PORT: String(options.port ?? 0),
      HOST: "127.0.0.1",
      DATABASE_PATH: databasePath,
      ROUND_SECONDS: String(options.roundSeconds ?? 30),
      NO_COLOR: "1",
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const url = parseListeningLine(text);
      if (url !== undefined) resolve(url);
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status;
  status.then((s) => reject(new Error(`server exited with ${s.code} before listening:\n${text}`)));
  const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 30_000);
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await status;
    await pumped;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  let stopped: Promise<number> | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid,
    databasePath,
    output: () => text,
    stop(signal: Deno.Signal = "SIGTERM") {
      stopped ??= (async () => {
        try {
          child.kill(signal);
        } catch { /* already gone */ }
        const { code } = await status;
        await pumped;
        return code;
      })();
      return stopped;
    },
  };
}
