/**
 * `deno task bench`: measures the project's server against the baseline on
 * this machine, and the project in clustered mode against itself as one
 * process, in one run, and prints markdown tables (also written to
 * `bench/results/latest.md`, with the raw figures in `latest.json`).
 *
 * Flags: `--repeats=N` (default 3), `--quick` (1 repeat, smaller sizes),
 * `--project=baseline` (put the baseline in both slots, to check the harness;
 * the clustered part and the scrape cost are then left out), `--only=speed`,
 * `--only=fanout`, `--only=attacks`, `--only=cluster` or `--only=metrics`
 * (one part of the scenarios; `metrics` is what scraping `/metrics` costs the
 * project). The fan-out runs both servers one right after the other in each
 * repeat, the first of them alternating, so the machine's load of the moment
 * weighs on both alike.
 * Never run in CI: it takes minutes and both cores.
 *
 * @module
 */

import { join } from "node:path";
import { canPin, killAll, ROOT } from "./processes.ts";
import { FULL, measure, measureFanout, QUICK } from "./scenarios.ts";
import { measureAttacks } from "./attacks.ts";
import { measureCluster } from "./cluster.ts";
import { type ClusterSetup, prepareCluster } from "./cluster_session.ts";
import { stopServicesSync } from "./cluster_services.ts";
import type { Figures, Noise } from "./session.ts";
import { measureScrape } from "./scrape.ts";
import { clusterMetrics, metricsFor, scrapeMetrics } from "./metrics.ts";
import { renderReport, type Samples } from "./report.ts";
import { baselineTarget, projectTarget, randomSecret } from "./targets.ts";

const HARD_LIMIT_MS = 20 * 60_000;

/**
 * When each part should be done, and how long one repeat of it takes on a
 * quiet machine: the speed half is kept under five and a half minutes, the hostile half
 * adds about two and a half, the clustered part about two and a half, the scrape cost
 * about two. Waiting for quiet yields to the target.
 */
const BUDGET = {
  speed: { targetMs: 5.25 * 60_000, paceMs: 95_000 },
  fanout: { targetMs: 3.5 * 60_000, paceMs: 70_000 },
  attacks: { targetMs: 2.5 * 60_000, paceMs: 50_000 },
  cluster: { targetMs: 2.5 * 60_000, paceMs: 52_000 },
  metrics: { targetMs: 2 * 60_000, paceMs: 30_000 },
} as const;

type Part = keyof typeof BUDGET;

/** How the header names a run of one part. */
const ONLY: Readonly<Record<Part, string>> = {
  speed: "the speed scenarios",
  fanout: "the EndRound fan-out",
  attacks: "the hostile scenarios",
  cluster: "the clustered part",
  metrics: "the scrape cost",
};

const SCRAPE_INTRO = "The project against itself: server CPU per click of the paced flood " +
  "while `GET /metrics` is scraped every second, and while not, alternating every 2 s on one " +
  "server per repeat.";

const CLUSTER_INTRO = "Clustered mode (`REDIS_URL` and `DATABASE_URL` set): servers on core 0 " +
  "sharing Redis and PostgreSQL, which run unpinned; the second column is the project as one " +
  "process on SQLite, where it compares.";

function flagsOf(args: readonly string[]): Map<string, string> {
  return new Map(args.map((arg) => {
    const [name, ...rest] = arg.replace(/^--/, "").split("=");
    return [name, rest.join("=") || "true"] as const;
  }));
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

/** One step of the run: a server's halves in one repeat, or one repeat of the clustered part. */
interface Job {
  readonly label: string;
  /** How long it takes on a quiet machine, for the wait for quiet (see `BUDGET`). */
  readonly guessMs: number;
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const flags = flagsOf(Deno.args);
  const quick = flags.has("quick");
  const repeats = Number(flags.get("repeats") ?? (quick ? 1 : 3));
  const sizes = quick ? QUICK : FULL;
  const only = flags.get("only") as Part | undefined;
  if (only !== undefined && !(only in BUDGET)) {
    throw new TypeError(
      `--only must be speed, fanout, attacks, cluster or metrics, got "${only}"`,
    );
  }
  const asBaseline = flags.get("project") === "baseline";
  // The baseline is neither clustered nor has /metrics: those parts measure the project alone.
  const projectOnly = (part: Part) => part === "cluster" || part === "metrics";
  if (asBaseline && only !== undefined && projectOnly(only)) {
    throw new TypeError(
      `Cannot measure ${ONLY[only]} with --project=baseline: it is the project's`,
    );
  }
  const parts = (Object.keys(BUDGET) as Part[]).filter((part) =>
    only !== undefined ? part === only : !(asBaseline && projectOnly(part))
  );
  const halves = parts.filter((part): part is "speed" | "attacks" =>
    part === "speed" || part === "attacks"
  );
  const log = (line: string) =>
    console.error(`[${((performance.now()) / 1000).toFixed(0)}s] ${line}`);
  const tmp = await Deno.makeTempDir({ prefix: "clicker-bench-" });
  let setup: ClusterSetup | undefined;
  // Deno.exit skips `finally`, so both early exits clean up by themselves.
  const abandon = (code: number) => {
    killAll();
    setup?.databases.dropAllSync();
    stopServicesSync();
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
    const secret = randomSecret();
    const players = Math.max(
      ...sizes.fanout,
      sizes.latenessPlayers + 10,
      sizes.logins + 1,
      sizes.scrapePlayers,
      sizes.pacedPlayers,
    );
    const project = asBaseline
      ? baselineTarget("baseline as project")
      : await projectTarget(tmp, secret, players);
    const baseline = baselineTarget();
    if (parts.includes("cluster")) {
      log("starting Redis and PostgreSQL, and preparing the clustered accounts");
      setup = await prepareCluster(tmp, { secret, players: sizes.clusterSockets });
    }
    const samples: Record<string, Samples> = {
      [project.name]: {},
      [baseline.name]: {},
      clustered: {},
      single: {},
      scraped: {},
      unscraped: {},
    };
    const keep = (name: string, figures: Figures) => {
      for (const [id, value] of Object.entries(figures)) (samples[name][id] ??= []).push(value);
    };
    const noise: Noise = { retries: 0, worst: 0, patientUntil: 0 };
    const clusterFailures: string[] = [];
    const jobs: Job[] = [];
    for (let r = 0; r < repeats; r++) {
      const order = r % 2 === 0 ? [project, baseline] : [baseline, project];
      for (const target of halves.length > 0 ? order : []) {
        jobs.push({
          label: `repeat ${r + 1}/${repeats}: ${target.name}`,
          guessMs: halves.reduce((sum, half) => sum + BUDGET[half].paceMs / 2, 0),
          run: async () =>
            keep(target.name, {
              ...halves.includes("speed") ? await measure(target, sizes, noise, log) : {},
              ...halves.includes("attacks") ? await measureAttacks(target, sizes, noise, log) : {},
            }),
        });
      }
      if (parts.includes("metrics")) {
        jobs.push({
          label: `repeat ${r + 1}/${repeats}: scrape cost`,
          guessMs: BUDGET.metrics.paceMs,
          run: async () => {
            const figures = await measureScrape(project, sizes, noise, log);
            keep("scraped", figures.scraped);
            keep("unscraped", figures.unscraped);
          },
        });
      }
      if (parts.includes("fanout")) {
        jobs.push({
          label: `repeat ${r + 1}/${repeats}: fan-out, ${order[0].name} then ${order[1].name}`,
          guessMs: BUDGET.fanout.paceMs,
          run: async () => {
            for (const target of order) {
              keep(target.name, await measureFanout(target, sizes, noise, log));
            }
          },
        });
      }
      if (setup) {
        const ready = setup;
        jobs.push({
          label: `repeat ${r + 1}/${repeats}: clustered part`,
          guessMs: BUDGET.cluster.paceMs,
          run: async () => {
            const figures = await measureCluster(project, ready, sizes, noise, log);
            keep("clustered", figures.clustered);
            keep("single", figures.single);
            clusterFailures.push(...figures.failures.map((f) => `- Repeat ${r + 1}, ${f}`));
          },
        });
      }
    }
    const targetMs = parts.reduce((sum, part) => sum + BUDGET[part].targetMs, 0);
    const guessMs = jobs.reduce((sum, job) => sum + job.guessMs, 0);
    let guessedDone = 0;
    const began = performance.now();
    for (const job of jobs) {
      log(job.label);
      // Wait for a quiet machine only as long as the jobs left, at the pace so far, still fit.
      const pace = guessedDone > 0 ? (performance.now() - began) / guessedDone : 1;
      noise.patientUntil = targetMs - (guessMs - guessedDone) * pace;
      const started = performance.now();
      await job.run();
      guessedDone += job.guessMs;
      log(`  ${job.label} took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    const header = await machineHeader(repeats, quick, await canPin());
    if (only) header.push(`- Only ${ONLY[only]}`);
    header.push(
      `- Other processes used at most ${noise.worst.toFixed(2)} cores during a kept run ` +
        `(${noise.retries} run${noise.retries === 1 ? "" : "s"} retried for using more than 0.2)`,
    );
    const measured = (a: Samples, b: Samples) => (m: { id: string }) => m.id in a || m.id in b;
    const rows = metricsFor(sizes).filter(measured(samples[project.name], samples[baseline.name]));
    const clusterRows = clusterMetrics(sizes).filter(measured(samples.clustered, samples.single));
    const tables: string[] = [];
    if (rows.length > 0) {
      tables.push(renderReport(rows, samples[project.name], samples[baseline.name], header, [
        asBaseline ? "Baseline (as project)" : "Project",
        "Baseline",
      ]));
    }
    if (clusterRows.length > 0) {
      const intro = clusterFailures.length > 0
        ? [
          CLUSTER_INTRO,
          "",
          "Sessions that failed (their figures are left out):",
          ...clusterFailures,
        ]
        : [CLUSTER_INTRO];
      const above = tables.length > 0 ? intro : [...header, "", ...intro];
      tables.push(renderReport(clusterRows, samples.clustered, samples.single, above, [
        "Clustered",
        "Single process",
      ]));
    }
    const scrapeRows = scrapeMetrics(sizes).filter(measured(samples.scraped, samples.unscraped));
    if (scrapeRows.length > 0) {
      const above = tables.length > 0 ? [SCRAPE_INTRO] : [...header, "", SCRAPE_INTRO];
      tables.push(renderReport(scrapeRows, samples.scraped, samples.unscraped, above, [
        "Scraped every second",
        "Not scraped",
      ]));
    }
    const report = tables.join("\n");
    console.log(report);
    const out = join(ROOT, "bench", "results");
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeTextFile(join(out, "latest.md"), report);
    await Deno.writeTextFile(
      join(out, "latest.json"),
      JSON.stringify({ sizes, repeats, noise, samples, clusterFailures }, null, 2) + "\n",
    );
    log(`written to bench/results/latest.md in ${(performance.now() / 1000).toFixed(0)} s`);
  } finally {
    clearTimeout(guard);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.removeSignalListener(signal, interrupt);
    }
    killAll();
    setup?.databases.dropAllSync();
    stopServicesSync();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
