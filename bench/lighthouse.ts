/**
 * `deno task lighthouse`: Lighthouse's four scores (Performance,
 * Accessibility, Best Practices, SEO) of the page as a player first meets it
 * (the login form) and as they play (the game screen), on a phone (the
 * default mobile preset) and on a desktop, all of which the page keeps at
 * 100. It prints a table and exits 1 when a score is under 100.
 *
 * It builds the web client, starts the server (`main.ts`, port 0, a database
 * in a temporary folder), registers a player and logs them in through the
 * page in Debian's Chromium (driven by playwright-core, as the browser
 * tests do), keeping that browser profile: its sign-in cookie and stored
 * login take Lighthouse's Chromium straight to the game screen, which is
 * checked (the session answered 200 and the leaderboard was fetched). The
 * login form is measured in a fresh profile, as a first visit. Everything it
 * starts is stopped, and the folder removed, at the end or on Ctrl-C.
 *
 * Lighthouse's Performance score moves with the machine's load: it times
 * the page's work on this CPU and scales it to a phone's. So each page is
 * measured `--runs` times (default 3) and the median of each score counts
 * (the cells read "median (min–max)" when runs disagree), each run waits up
 * to 30 s for the rest of the machine to use under 0.2 of a core, and the
 * report says how busy it was. Run it on a quiet machine. Lighthouse 12.2.3 comes from npm (`npx -y
 * lighthouse@12.2.3`, Node 18.20 or later) unless `--lighthouse=PATH` or the
 * `LIGHTHOUSE` variable names an installed `lighthouse` executable;
 * `--chromium=PATH` picks another Chromium (default `/usr/bin/chromium`);
 * `--pages=game` and `--devices=mobile` measure one screen or one device
 * only (default: both of each); `--reports=DIR` keeps each run's JSON report there (`game-mobile-1.json`…),
 * with its trace and DevTools log, to read the long tasks and the network
 * waterfall (open the trace in Chromium's Performance panel).
 * About a minute per run of all four; never run in CI.
 *
 * @module
 */

import { join } from "node:path";
import { chromium } from "playwright-core";
import { killAll, ROOT, type ServerProcess, startServer } from "./processes.ts";
import { waitForQuiet } from "./proc.ts";
import { median, round3 } from "./stats.ts";
import { CHROMIUM_ARGS as CHROMIUM_FLAGS } from "../tests/e2e/browser_support.ts";

const LIGHTHOUSE_VERSION = "12.2.3";
const CATEGORIES = [
  ["performance", "Performance"],
  ["accessibility", "Accessibility"],
  ["best-practices", "Best Practices"],
  ["seo", "SEO"],
] as const;
type Category = (typeof CATEGORIES)[number][0];
const PASSWORD = "correct horse battery";
/** How long one Lighthouse run may take before it is stopped. */
const RUN_LIMIT_MS = 3 * 60_000;
/** Cores other processes may use for the machine to count as quiet before a run. */
const QUIET_CORES = 0.2;
/** How long to wait for quiet before each run, before running anyway. */
const QUIET_PATIENCE_MS = 30_000;

/** A screen to measure, and the browser profile that leads to it. */
interface Target {
  readonly page: "login" | "game";
  /** A profile already signed in, or none for a first visit. */
  readonly profile?: string;
}

/** An audit that weighs on a category and scored under 1. */
interface Failing {
  readonly id: string;
  readonly score: number;
  /** What it measured, as Lighthouse words it ("1.6 s"), or "". */
  readonly value: string;
}

/** What one Lighthouse run found. */
interface RunResult {
  readonly scores: Record<Category, number>;
  readonly failing: Failing[];
  readonly warnings: string[];
  /** The URL and status of every request the page made. */
  readonly requests: { url: string; status: number }[];
  readonly lighthouse: string;
  readonly userAgent: string;
  readonly benchmarkIndex: number;
}

function flagsOf(args: readonly string[]): Map<string, string> {
  return new Map(args.map((arg) => {
    const [name, ...rest] = arg.replace(/^--/, "").split("=");
    return [name, rest.join("=") || "true"] as const;
  }));
}

/** The live Lighthouse process, stopped on Ctrl-C. */
let running: Deno.ChildProcess | undefined;

/**
 * Runs Lighthouse once against `url` and reads its JSON report. Lighthouse
 * starts and stops its own Chromium; SIGINT makes it close that browser.
 */
async function lighthouse(
  command: readonly string[],
  url: string,
  options: {
    chromium: string;
    desktop: boolean;
    profile?: string;
    report: string;
    saveAssets: boolean;
  },
): Promise<RunResult> {
  const chromeFlags = [...CHROMIUM_FLAGS];
  if (options.profile !== undefined) chromeFlags.push(`--user-data-dir=${options.profile}`);
  const args = [
    ...command.slice(1),
    url,
    `--chrome-path=${options.chromium}`,
    `--chrome-flags=${chromeFlags.join(" ")}`,
    "--output=json",
    `--output-path=${options.report}`,
    "--quiet",
  ];
  if (options.desktop) args.push("--preset=desktop");
  if (options.saveAssets) args.push("--save-assets");
  const child = new Deno.Command(command[0], {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  running = child;
  const timer = setTimeout(() => child.kill("SIGINT"), RUN_LIMIT_MS);
  try {
    const [{ code }, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    if (code !== 0) {
      throw new Error(
        `lighthouse exited with ${code}:\n${stderr.trim().split("\n").slice(-8).join("\n")}`,
      );
    }
  } finally {
    clearTimeout(timer);
    running = undefined;
  }
  return readReport(JSON.parse(await Deno.readTextFile(options.report)));
}

/** The parts of Lighthouse's JSON report this script reads. */
interface Report {
  lighthouseVersion: string;
  runtimeError?: { code: string; message: string };
  runWarnings: string[];
  environment: { hostUserAgent: string; benchmarkIndex: number };
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<string, {
    score: number | null;
    scoreDisplayMode: string;
    displayValue?: string;
    details?: { items?: { url?: string; statusCode?: number }[] };
  }>;
}

function readReport(report: Report): RunResult {
  if (report.runtimeError !== undefined) {
    throw new Error(
      `Lighthouse failed: ${report.runtimeError.code} ${report.runtimeError.message}`,
    );
  }
  const scores = Object.fromEntries(
    CATEGORIES.map(([id]) => [id, Math.round((report.categories[id]?.score ?? 0) * 100)]),
  ) as Record<Category, number>;
  // Only audits that weigh on a category: the others are advice.
  const counted = new Set(
    CATEGORIES.flatMap(([id]) =>
      (report.categories[id]?.auditRefs ?? []).filter((ref) => ref.weight > 0).map((ref) => ref.id)
    ),
  );
  const failing = [...counted].flatMap((id): Failing[] => {
    const audit = report.audits[id];
    if (audit?.score === null || audit?.score === undefined || audit.score >= 1) return [];
    return [{ id, score: audit.score, value: audit.displayValue ?? "" }];
  });
  const requests = (report.audits["network-requests"]?.details?.items ?? []).map((item) => ({
    url: item.url ?? "",
    status: item.statusCode ?? 0,
  }));
  return {
    scores,
    failing,
    warnings: report.runWarnings,
    requests,
    lighthouse: report.lighthouseVersion,
    userAgent: report.environment.hostUserAgent,
    benchmarkIndex: report.environment.benchmarkIndex,
  };
}

/** Registers a player over HTTP, then logs them in through the page, keeping the profile. */
async function signedInProfile(base: string, chromiumPath: string, profile: string) {
  const username = `lh${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const registered = await fetch(new URL("api/account/register", base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      username,
      email: `${username}@example.com`,
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    }),
  });
  if (!registered.ok) {
    throw new Error(`registration refused: ${registered.status} ${await registered.text()}`);
  }
  await registered.body?.cancel();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(base);
    await page.locator("#login-username").fill(username);
    await page.locator("#login-password").fill(PASSWORD);
    await page.locator("#login-submit").click();
    await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 15_000 });
  } finally {
    await context.close();
  }
}

/** A table cell: the median, with the spread when the runs disagree. */
function cell(values: number[]): string {
  const middle = Math.round(median(values));
  const low = Math.round(Math.min(...values));
  const high = Math.round(Math.max(...values));
  return low === high ? String(middle) : `${middle} (${low}–${high})`;
}

/** A markdown table whose columns line up: the first row is the header. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, i) => text.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(rows[0]),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.slice(1).map(line),
  ];
}

async function main(): Promise<number> {
  const flags = flagsOf(Deno.args);
  const runs = Number(flags.get("runs") ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`--runs must be 1 or more`);
  const chromiumPath = flags.get("chromium") ?? "/usr/bin/chromium";
  const reports = flags.get("reports");
  if (reports !== undefined) await Deno.mkdir(reports, { recursive: true });
  const installed = flags.get("lighthouse") ?? Deno.env.get("LIGHTHOUSE");
  const command = installed ? [installed] : ["npx", "-y", `lighthouse@${LIGHTHOUSE_VERSION}`];
  const log = (line: string) =>
    console.error(`[${(performance.now() / 1000).toFixed(0)}s] ${line}`);

  const tmp = await Deno.makeTempDir({ prefix: "clicker-lighthouse-" });
  let server: ServerProcess | undefined;
  // Deno.exit skips `finally`: an interrupted run cleans up by itself.
  const interrupt = () => {
    try {
      running?.kill("SIGINT");
    } catch { /* already gone */ }
    killAll();
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch { /* already gone */ }
    Deno.exit(130);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, interrupt);
  try {
    log("building the web client");
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "build:client"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!build.success) {
      throw new Error(`build:client failed:\n${new TextDecoder().decode(build.stderr)}`);
    }
    server = await startServer("main.ts", {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: join(tmp, "clicker.db"),
    });
    log(`server at ${server.base}; registering a player and logging in through the page`);
    const profile = join(tmp, "profile");
    await signedInProfile(server.base, chromiumPath, profile);

    const pages = (flags.get("pages") ?? "login,game").split(",");
    const targets = ([{ page: "login" }, { page: "game", profile }] as Target[])
      .filter((target) => pages.includes(target.page));
    const wanted = (flags.get("devices") ?? "mobile,desktop").split(",");
    const devices = ([["mobile", false], ["desktop", true]] as const)
      .filter(([device]) => wanted.includes(device));
    if (targets.length === 0 || devices.length === 0) {
      throw new TypeError("--pages takes login and game, --devices mobile and desktop");
    }
    const results = new Map<string, RunResult[]>();
    /** Cores the rest of the machine used just before each run. */
    const noise: number[] = [];
    for (let run = 1; run <= runs; run++) {
      for (const target of targets) {
        for (const [device, desktop] of devices) {
          const key = `${target.page} ${device}`;
          noise.push(
            await waitForQuiet(server.pid, { maxCores: QUIET_CORES, maxWaitMs: QUIET_PATIENCE_MS }),
          );
          log(`Lighthouse ${key}, run ${run} of ${runs}`);
          const result = await lighthouse(command, server.base, {
            chromium: chromiumPath,
            desktop,
            profile: target.profile,
            report: join(tmp, "report.json"),
            saveAssets: reports !== undefined,
          });
          if (reports !== undefined) {
            // report.json, report-0.trace.json, report-0.devtoolslog.json
            for await (const entry of Deno.readDir(tmp)) {
              if (!entry.name.startsWith("report")) continue;
              const name = entry.name.replace("report", `${target.page}-${device}-${run}`);
              await Deno.rename(join(tmp, entry.name), join(reports, name));
            }
          }
          const session = result.requests.find((r) => r.url.includes("/api/account/session"));
          const onGame = session?.status === 200 &&
            result.requests.some((r) => r.url.includes("/api/leaderboard"));
          if ((target.page === "game") !== onGame) {
            throw new Error(
              `Lighthouse did not measure the ${target.page} screen: its requests were\n` +
                result.requests.map((r) => `  ${r.status} ${r.url}`).join("\n"),
            );
          }
          results.set(key, [...results.get(key) ?? [], result]);
        }
      }
    }

    const all = [...results.values()].flat();
    const rows = [["page", "device", ...CATEGORIES.map(([, name]) => name)]];
    let under = false;
    for (const [key, found] of results) {
      rows.push([
        ...key.split(" "),
        ...CATEGORIES.map(([id]) => {
          const values = found.map((result) => result.scores[id]);
          if (median(values) < 100) under = true;
          return cell(values);
        }),
      ]);
    }
    const browser = all[0].userAgent.match(/HeadlessChrome\/\S+/)?.[0] ?? "Chromium";
    const noisy = noise.filter((cores) => cores > QUIET_CORES).length;
    const lines = [
      `Lighthouse ${all[0].lighthouse}, ${browser}; ${runs} run${runs === 1 ? "" : "s"} each; ` +
      "cells: median (min–max)",
      `- Lighthouse's benchmark index (CPU speed it measured at each start): ` +
      cell(all.map((result) => result.benchmarkIndex)),
      `- Other processes just before the runs: ${round3(median(noise))} cores (median), ` +
      `${round3(Math.max(...noise))} at most; over ${QUIET_CORES} before ${noisy} of ` +
      `${noise.length} runs (after waiting up to ${QUIET_PATIENCE_MS / 1000} s for quiet)`,
      "",
      ...table(rows),
    ];
    const notes: string[] = [];
    for (const [key, found] of results) {
      const byAudit = new Map<string, Failing[]>();
      for (const failing of found.flatMap((result) => result.failing)) {
        byAudit.set(failing.id, [...byAudit.get(failing.id) ?? [], failing]);
      }
      for (const [id, seen] of byAudit) {
        const scores = [...new Set(seen.map((failing) => failing.score))].sort();
        const values = [...new Set(seen.map((failing) => failing.value).filter(Boolean))];
        const measured = values.length > 0 ? ` (${values.join(", ")})` : "";
        notes.push(
          `- ${key}: ${id} scored ${
            scores.join(", ")
          }${measured} in ${seen.length} of ${runs} runs`,
        );
      }
    }
    if (notes.length > 0) lines.push("", "Audits under 1:", ...notes);
    const warnings = [...new Set(all.flatMap((result) => result.warnings))];
    if (warnings.length > 0) lines.push("", "Lighthouse warned:", ...warnings.map((w) => `- ${w}`));
    console.log(lines.join("\n"));
    return under ? 1 : 0;
  } finally {
    await server?.stop();
    killAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main());
