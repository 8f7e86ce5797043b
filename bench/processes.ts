/**
 * Child processes of the benchmark: a server (the project's `main.ts` or the
 * baseline) pinned to core 0, and load generators pinned to core 1, where
 * `taskset` exists. Every child has a deadline and is killed on stop, on
 * error and when the orchestrator exits.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseListeningLine } from "../src/listening_line.ts";

/** The repository root (the folder above `bench/`). */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

const live = new Set<Deno.ChildProcess>();

/** Kills every child still running (SIGKILL); safe to call twice. */
export function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  live.clear();
}

/** Whether `taskset` is on the PATH (checked once, with `which`). */
let pinning: boolean | undefined;
export async function canPin(): Promise<boolean> {
  if (pinning === undefined) {
    try {
      const { success } = await new Deno.Command("which", { args: ["taskset"], stdout: "null" })
        .output();
      pinning = success;
    } catch {
      pinning = false;
    }
  }
  return pinning;
}

async function command(core: number, args: string[]): Promise<[string, string[]]> {
  return await canPin()
    ? ["taskset", ["-c", String(core), Deno.execPath(), ...args]]
    : [Deno.execPath(), args];
}

/** A server the benchmark started. */
export interface ServerProcess {
  /** `http://127.0.0.1:PORT/` */
  readonly base: string;
  readonly pid: number;
  /** The last lines it printed, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts `deno run -A SCRIPT` on core 0 with `env`; resolves once it prints its URL. */
export async function startServer(
  script: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const [program, args] = await command(0, ["run", "-A", script]);
  const child = new Deno.Command(program, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  let text = "";
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  // Keep draining both pipes for the server's whole life so it never blocks on a full pipe.
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    // Each pipe is read on its own until the line comes, so the other can't split it.
    let own: string | undefined = "";
    for await (const piece of stream.pipeThrough(new TextDecoderStream())) {
      text = (text + piece).slice(-20_000);
      if (own === undefined) continue;
      own = (own + piece).slice(-20_000);
      const url = parseListeningLine(own);
      if (url !== undefined) {
        resolve(url);
        own = undefined;
      }
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((s) => reject(new Error(`${script} exited with ${s.code}:\n${text}`)));
  const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${text}`)), timeoutMs);
  let base: string;
  try {
    base = await listening;
  } catch (error) {
    child.kill("SIGKILL");
    live.delete(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  let stopping: Promise<void> | undefined;
  return {
    base,
    pid: child.pid,
    tail: () => text.slice(-2000),
    stop() {
      stopping ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const forced = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, 5000);
        await child.status;
        clearTimeout(forced);
        await pumped;
        live.delete(child);
      })();
      return stopping;
    },
  };
}

/** A load generator the benchmark started. */
export interface LoadProcess {
  readonly pid: number;
  /** Resolves when the load says it is ready (`{"ready":true}`); rejects if it ends first. */
  readonly ready: Promise<void>;
  /** The JSON line it prints last; rejects when it fails or runs out of time. */
  readonly result: Promise<LoadResult>;
  /** Asks it to finish now (SIGTERM): modes that run until stopped then print their result. */
  stop(): void;
}

/** Options of {@linkcode startLoad}. */
export interface LoadOptions {
  /** Runs it at this niceness (attackers: so they don't delay the processes that measure). */
  readonly nice?: number;
}

/**
 * Starts `bench/load.ts` with `flags` on core 1; killed after `timeoutMs`.
 * Its stdout is read line by line: a `{"ready":true}` line resolves `ready`,
 * and the last line is the result.
 */
export async function startLoad(
  flags: Record<string, string | number>,
  timeoutMs: number,
  options: LoadOptions = {},
): Promise<LoadProcess> {
  const args = Object.entries(flags).map(([name, value]) => `--${name}=${value}`);
  args.push(`--limit-ms=${timeoutMs - 1000}`);
  let [program, argv] = await command(1, ["run", "-A", "bench/load.ts", ...args]);
  if (options.nice) [program, argv] = ["nice", ["-n", String(options.nice), program, ...argv]];
  const child = new Deno.Command(program, {
    args: argv,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const { promise: ready, resolve: isReady, reject: notReady } = Promise.withResolvers<void>();
  ready.catch(() => {}); // not every caller waits for it
  let last = "";
  const lines = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts.map((part) => part.trim()).filter(Boolean)) {
        if (line === '{"ready":true}') isReady();
        else last = line;
      }
    }
    if (rest.trim()) last = rest.trim();
  })();
  const stderr = new Response(child.stderr).text();
  const result = (async () => {
    try {
      const [{ code }, err] = await Promise.all([child.status, stderr, lines]);
      if (code !== 0 || !last.startsWith("{")) {
        const said = err.trim().split("\n");
        // An uncaught error prints its message above a stack that may be longer than the tail.
        const headline = said.find((line) => /error/i.test(line) && !/^\s*at /.test(line));
        const tail = said.slice(-8);
        if (headline !== undefined && !tail.includes(headline)) tail.unshift(headline);
        throw new Error(`load ${args.join(" ")} failed (exit ${code}):\n${tail.join("\n")}`);
      }
      if (Deno.env.get("BENCH_VERBOSE")) console.error(`  ${args.join(" ")}\n  → ${last}`);
      return JSON.parse(last);
    } finally {
      clearTimeout(timer);
      live.delete(child);
      notReady(new Error(`load ${flags.mode} ended before it was ready`));
    }
  })();
  return {
    pid: child.pid,
    ready,
    result,
    stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
  };
}

/** A load's result: the JSON object it printed last. */
// deno-lint-ignore no-explicit-any
export type LoadResult = any;

/** Runs `bench/load.ts` with `flags` on core 1 and returns the JSON line it prints last. */
export async function runLoad(
  flags: Record<string, string | number>,
  timeoutMs: number,
): Promise<LoadResult> {
  return await (await startLoad(flags, timeoutMs)).result;
}
