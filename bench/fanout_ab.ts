/**
 * The `EndRound` fan-out of several servers in turn, for an A/B beside the
 * bench: each server is started as `targets.ts` starts it (rounds of 0.5 s,
 * raised limits, pinned to core 0), `load_fanout.ts` runs against it on core
 * 1, and one JSON line per size says the deadline → last receipt, the
 * server's CPU a round, the median `fanoutMs` of its round log and the noise.
 *
 * ```sh
 * deno run -A bench/fanout_ab.ts --roots=/tmp/before,.,baseline [--sizes=1000,5000]
 *   [--rounds=20] [--warmup=2] [--repeats=3] [--prof=DIR] [--v8=FLAGS] [--pid-file=FILE]
 * ```
 *
 * `--roots` lists project folders (each with its `main.ts`, e.g. a `git
 * archive` of another commit) and `baseline`; each repeat runs them in
 * turn, the order reversed every other repeat. `--prof` has each server write
 * a V8 CPU profile to `DIR`; `--v8` adds V8 flags to the project's. The file
 * the server's pid is written to (`--pid-file`) lets `perf` or `strace`
 * attach while a run is going.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { baselineTarget, projectTarget, randomSecret } from "./targets.ts";
import { ROOT, runLoad } from "./processes.ts";
import { parseListeningLine } from "../src/listening_line.ts";
import { median } from "./stats.ts";

/** One server of the A/B, started and stopped around one fan-out run. */
async function fanoutRun(
  root: string,
  env: Record<string, string>,
  options: {
    accounts?: string;
    sizes: string;
    rounds: number;
    warmup: number;
    prof?: string;
    pidFile?: string;
  },
): Promise<void> {
  const baseline = root === "baseline";
  const args = ["-c", "0", Deno.execPath(), "run", "-A"];
  if (options.prof) args.push("--cpu-prof", `--cpu-prof-dir=${options.prof}`);
  args.push(baseline ? "bench/baseline_server.ts" : "main.ts");
  const child = new Deno.Command("taskset", {
    args,
    cwd: baseline ? ROOT : root,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const fanoutMs = new Map<number, number[]>();
  const { promise: listening, resolve: heard, reject } = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const piece of stream.pipeThrough(new TextDecoderStream())) {
      text = (text + piece).slice(-20_000);
      for (const line of piece.split("\n")) {
        const round = /connections=(\d+) .*fanoutMs=([\d.]+)/.exec(line);
        if (round === null) continue;
        const list = fanoutMs.get(Number(round[1])) ?? [];
        list.push(Number(round[2]));
        fanoutMs.set(Number(round[1]), list);
      }
      const url = parseListeningLine(text);
      if (url !== undefined) heard(url);
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((status) => reject(new Error(`${root} exited with ${status.code}:\n${text}`)));
  try {
    const url = await listening;
    if (options.pidFile) await Deno.writeTextFile(options.pidFile, String(child.pid));
    const flags: Record<string, string | number> = {
      mode: "fanout",
      url,
      "server-pid": child.pid,
      sizes: options.sizes,
      rounds: options.rounds,
      warmup: options.warmup,
    };
    if (!baseline && options.accounts) flags.accounts = options.accounts;
    const result = await runLoad(flags, 180_000);
    for (const step of result.steps) {
      const logged = fanoutMs.get(step.players);
      console.log(JSON.stringify({
        root,
        players: step.players,
        lastMs: step.lastMs,
        p50Ms: step.p50Ms,
        p99Ms: step.p99Ms,
        cpuMsRound: step.serverCpuMs,
        fanoutMsMedian: logged ? Math.round(median(logged) * 10) / 10 : null,
        otherCores: step.otherCpu,
        missing: step.missing,
      }));
    }
  } finally {
    child.kill("SIGINT");
    await child.status;
    await pumped;
  }
}

/** Runs the A/B the flags describe. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      roots: { type: "string", default: "." },
      sizes: { type: "string", default: "1000,5000" },
      rounds: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      repeats: { type: "string", default: "1" },
      prof: { type: "string" },
      v8: { type: "string" },
      "pid-file": { type: "string" },
    },
  });
  const roots = values.roots.split(",").map((r) => r === "baseline" ? r : resolve(r));
  const tmp = await Deno.makeTempDir({ prefix: "fanout_ab_" });
  try {
    const project = await projectTarget(tmp, randomSecret(), 5000);
    for (let repeat = 0; repeat < Number(values.repeats); repeat++) {
      const order = repeat % 2 === 0 ? roots : [...roots].reverse();
      for (const root of order) {
        const env = root === "baseline"
          ? await baselineTarget().env(0.5, "raised")
          : await project.env(0.5, "raised");
        if (values.v8 && root !== "baseline") {
          env.DENO_V8_FLAGS = [env.DENO_V8_FLAGS, values.v8].filter(Boolean).join(",");
        }
        await fanoutRun(root, env, {
          accounts: project.accounts,
          sizes: values.sizes,
          rounds: Number(values.rounds),
          warmup: Number(values.warmup),
          prof: values.prof,
          pidFile: values["pid-file"],
        });
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await main();
