/**
 * Child processes of the benchmark: a server (the project's `main.ts` or the
 * baseline) pinned to core 0, and load generators pinned to core 1, where
 * `taskset` exists. Every child has a deadline and is killed on stop, on
 * error and when the orchestrator exits.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

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
  const decoder = new TextDecoder();
  // Keep draining both pipes for the server's whole life so it never blocks on a full pipe.
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text = (text + decoder.decode(chunk, { stream: true })).slice(-20_000);
      const match = /Listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
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

/**
 * Runs `bench/load.ts` with `flags` on core 1 and returns the JSON line it
 * prints; killed and rejected after `timeoutMs`.
 */
export async function runLoad(flags: Record<string, string | number>, timeoutMs: number) {
  const args = Object.entries(flags).map(([name, value]) => `--${name}=${value}`);
  args.push(`--limit-ms=${timeoutMs - 1000}`);
  const [program, argv] = await command(1, ["run", "-A", "bench/load.ts", ...args]);
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
  try {
    const { code, stdout, stderr } = await child.output();
    const out = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
    if (code !== 0 || !out.startsWith("{")) {
      const err = new TextDecoder().decode(stderr).trim().split("\n").slice(-8).join("\n");
      throw new Error(`load ${args.join(" ")} failed (exit ${code}):\n${err}`);
    }
    if (Deno.env.get("BENCH_VERBOSE")) console.error(`  ${args.join(" ")}\n  → ${out}`);
    return JSON.parse(out);
  } finally {
    clearTimeout(timer);
    live.delete(child);
  }
}
