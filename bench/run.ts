/**
 * `deno task bench`: measures the project's server against the baseline on
 * this machine, in one run, and prints one markdown table (also written to
 * `bench/results/latest.md`, with the raw figures in `latest.json`).
 *
 * Flags: `--repeats=N` (default 3), `--quick` (1 repeat, smaller sizes),
 * `--project=baseline` (put the baseline in both slots, to check the harness),
 * `--only=speed` or `--only=attacks` (one half of the scenarios).
 * Never run in CI: it takes minutes and both cores.
 *
 * @module
 */

import { join } from "node:path";
import { canPin, killAll, ROOT } from "./processes.ts";
import { FULL, measure, QUICK, type Sizes } from "./scenarios.ts";
import { measureAttacks } from "./attacks.ts";
import type { Figures, Limits, Noise, Target } from "./session.ts";
import { metricsFor } from "./metrics.ts";
import { renderReport, type Samples } from "./report.ts";

const HARD_LIMIT_MS = 15 * 60_000;

/**
 * When each half of the scenarios should be done, and how long one server's
 * part of a repeat takes on a quiet machine: the speed half is kept under
 * five minutes, the hostile half adds about two and a half. Waiting for quiet
 * yields to the target.
 */
const BUDGET = {
  speed: { targetMs: 4.75 * 60_000, paceMs: 40_000 },
  attacks: { targetMs: 2.5 * 60_000, paceMs: 25_000 },
} as const;

function flagsOf(args: readonly string[]): Map<string, string> {
  return new Map(args.map((arg) => {
    const [name, ...rest] = arg.replace(/^--/, "").split("=");
    return [name, rest.join("=") || "true"] as const;
  }));
}

function randomSecret(length = 48): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % 62])
    .join("");
}

async function text(program: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await new Deno.Command(program, { args, stderr: "null" }).output();
    return new TextDecoder().decode(stdout).trim();
  } catch {
    return "";
  }
}

async function machineHeader(repeats: number, quick: boolean, pinned: boolean): Promise<string[]> {
  const cpu = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1] ?? "?";
  const memGiB = Deno.systemMemoryInfo().total / 2 ** 30;
  const commit = await text("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]) || "no commit";
  return [
    `Clicker benchmark, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `- Machine: ${cpu}, ${navigator.hardwareConcurrency} cores, ${memGiB.toFixed(0)} GiB, ` +
    `Linux ${Deno.osRelease()}`,
    `- Deno ${Deno.version.deno} (V8 ${Deno.version.v8}); project at ${commit}`,
    `- ${
      pinned ? "Server pinned to core 0, load to core 1 (taskset)" : "No taskset: not pinned"
    }; ` +
    `${repeats} repeat${repeats === 1 ? "" : "s"}${quick ? " (--quick sizes)" : ""}; ` +
    "cells: median (min–max)",
  ];
}

/**
 * The project's per-client limits moved out of the way, for the scenarios
 * that measure speed: the floods send far more than a player may, and the 20
 * logins come from one address at once.
 */
const RAISED: Readonly<Record<string, string>> = {
  MAX_CLICKS_PER_SECOND: "1000000000",
  MAX_MESSAGES_PER_SECOND: "1000000000",
  MAX_BYTES_PER_SECOND: "1000000000",
  HASH_QUEUE: "64",
  HASH_QUEUE_PER_ADDRESS: "64",
};

/** Makes the project's accounts and returns the project target. */
async function projectTarget(tmp: string, sizes: Sizes): Promise<Target> {
  const secret = randomSecret();
  const template = join(tmp, "template.db");
  const accounts = join(tmp, "accounts.json");
  const players = Math.max(...sizes.fanout, sizes.latenessPlayers + 10, sizes.logins + 1);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "bench/project_fixture.ts",
      `--db=${template}`,
      `--secret=${secret}`,
      `--players=${players}`,
      `--out=${accounts}`,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`project_fixture failed:\n${new TextDecoder().decode(stderr)}`);
  let session = 0;
  return {
    name: "project",
    script: "main.ts",
    accounts,
    async env(roundSeconds: number, limits: Limits) {
      const path = join(tmp, `session-${++session}.db`);
      await Deno.copyFile(template, path);
      const env: Record<string, string> = {
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_PATH: path,
        ROUND_SECONDS: String(roundSeconds),
        JWT_SECRET: secret,
      };
      return limits === "default" ? env : { ...env, ...RAISED };
    },
  };
}

function baselineTarget(name = "baseline"): Target {
  return {
    name,
    script: "bench/baseline_server.ts",
    env: (roundSeconds) =>
      Promise.resolve({ PORT: "0", HOST: "127.0.0.1", ROUND_SECONDS: String(roundSeconds) }),
  };
}

async function main(): Promise<void> {
  const flags = flagsOf(Deno.args);
  const quick = flags.has("quick");
  const repeats = Number(flags.get("repeats") ?? (quick ? 1 : 3));
  const sizes = quick ? QUICK : FULL;
  const only = flags.get("only");
  if (only !== undefined && only !== "speed" && only !== "attacks") {
    throw new TypeError(`--only must be speed or attacks, got "${only}"`);
  }
  const log = (line: string) =>
    console.error(`[${((performance.now()) / 1000).toFixed(0)}s] ${line}`);
  const tmp = await Deno.makeTempDir({ prefix: "clicker-bench-" });
  // Deno.exit skips `finally`, so both early exits clean up by themselves.
  const abandon = (code: number) => {
    killAll();
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch { /* already gone */ }
    Deno.exit(code);
  };
  const guard = setTimeout(() => {
    console.error(`bench: over ${HARD_LIMIT_MS / 60_000} minutes, giving up`);
    abandon(1);
  }, HARD_LIMIT_MS);
  const interrupt = () => abandon(130);
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, interrupt);
  try {
    log("preparing the project's accounts and database");
    const project = flags.get("project") === "baseline"
      ? baselineTarget("baseline as project")
      : await projectTarget(tmp, sizes);
    const baseline = baselineTarget();
    const samples: Record<string, Samples> = { [project.name]: {}, [baseline.name]: {} };
    const noise: Noise = { retries: 0, worst: 0, patientUntil: 0 };
    const halves = (["speed", "attacks"] as const).filter((half) =>
      only !== undefined ? half === only : true
    );
    const targetMs = halves.reduce((sum, half) => sum + BUDGET[half].targetMs, 0);
    const guessMs = halves.reduce((sum, half) => sum + BUDGET[half].paceMs, 0);
    const runs = repeats * 2;
    let done = 0;
    const began = performance.now();
    for (let r = 0; r < repeats; r++) {
      const order = r % 2 === 0 ? [project, baseline] : [baseline, project];
      for (const target of order) {
        log(`repeat ${r + 1}/${repeats}: ${target.name}`);
        // Wait for a quiet machine only as long as the runs left, at the pace so far, still fit.
        const pace = done > 0 ? (performance.now() - began) / done : guessMs;
        noise.patientUntil = targetMs - (runs - done) * pace;
        const figures: Figures = {
          ...halves.includes("speed") ? await measure(target, sizes, noise, log) : {},
          ...halves.includes("attacks") ? await measureAttacks(target, sizes, noise, log) : {},
        };
        for (const [id, value] of Object.entries(figures)) {
          (samples[target.name][id] ??= []).push(value);
        }
        done++;
      }
    }
    const header = await machineHeader(repeats, quick, await canPin());
    if (only) header.push(`- Only the ${only === "speed" ? "speed" : "hostile"} scenarios`);
    header.push(
      `- Other processes used at most ${noise.worst.toFixed(2)} cores during a kept run ` +
        `(${noise.retries} run${noise.retries === 1 ? "" : "s"} retried for using more than 0.2)`,
    );
    const measured = (id: string) => id in samples[project.name] || id in samples[baseline.name];
    const report = renderReport(
      metricsFor(sizes).filter((m) => measured(m.id)),
      samples[project.name],
      samples[baseline.name],
      header,
      project.name === "project" ? "Project" : "Baseline (as project)",
    );
    console.log(report);
    const out = join(ROOT, "bench", "results");
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeTextFile(join(out, "latest.md"), report);
    await Deno.writeTextFile(
      join(out, "latest.json"),
      JSON.stringify({ sizes, repeats, noise, samples }, null, 2) + "\n",
    );
    log(`written to bench/results/latest.md in ${(performance.now() / 1000).toFixed(0)} s`);
  } finally {
    clearTimeout(guard);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.removeSignalListener(signal, interrupt);
    }
    killAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
