/**
 * The soak's words: one line a minute, and the verdict at the end with the
 * reasons it failed. Pure: it formats what the checks found.
 *
 * @module
 */

import { round3 } from "./stats.ts";
import type { Trend } from "./soak_trend.ts";

/** What the soak saw in one minute. */
export interface MinuteLine {
  readonly minute: number;
  /** Each server's. */
  readonly rssMiB: readonly number[];
  readonly fds: readonly number[];
  /** `/healthz` round trips on fresh connections, p99 and how many were taken. */
  readonly healthP99Ms: number;
  readonly healthChecks: number;
  /** `/healthz` checks that did not answer 200. */
  readonly healthFailures: number;
  /** Answered invocations' round trips (official client), p99, and how many. */
  readonly invokeP99Ms: number;
  readonly invokes: number;
  /** `/healthz` `online`: players and connections. */
  readonly players: number;
  readonly connections: number;
  /** Distinct `EndRound` round ids heard so far. */
  readonly rounds: number;
  /** Connections lost without the soak ending them, so far. */
  readonly unexpectedDowns: number;
  /** Connections the soak cut or stopped, so far. */
  readonly expectedDowns: number;
}

/** One minute as one line. */
export function formatMinute(line: MinuteLine): string {
  const pad = (value: number, width: number) => String(round3(value)).padStart(width);
  return [
    `${String(line.minute).padStart(3)} min`,
    `rss ${line.rssMiB.map((v) => pad(v, 5)).join(" ")} MiB`,
    `fds ${line.fds.map((v) => pad(v, 4)).join(" ")}`,
    `healthz p99 ${pad(line.healthP99Ms, 5)} ms (${line.healthChecks}` +
    (line.healthFailures ? `, ${line.healthFailures} failed)` : ")"),
    `invoke p99 ${pad(line.invokeP99Ms, 5)} ms (${line.invokes})`,
    `online ${line.players}/${line.connections}`,
    `rounds ${line.rounds}`,
    `drops ${line.unexpectedDowns} unexpected, ${line.expectedDowns} made`,
  ].join("  ");
}

/** One check of the verdict. */
export interface Check {
  readonly name: string;
  readonly pass: boolean;
  /** What was measured, in words, and why it failed when it did. */
  readonly detail: string;
}

/** The trend's two checks for each server (`server` names it when there are several). */
export function trendChecks(
  trend: Trend,
  bounds: { readonly slope: number; readonly noise: number },
  server = "",
): Check[] {
  const of = server ? ` (${server})` : "";
  return [
    {
      name: `memory flat after warm-up${of}`,
      pass: trend.rssFlat,
      detail: `RSS slope ${round3(trend.rssSlopeMiBPerHour)} MiB/h after minute ` +
        `${round3(trend.warmupMinutes)} (bound ${bounds.slope} MiB/h), growth ` +
        `${round3(trend.rssGrowthMiB)} MiB (under ${bounds.noise} MiB passes as noise)`,
    },
    {
      name: `file descriptors back to their level${of}`,
      pass: trend.fdsBack,
      detail: `${trend.fdsBefore} before the first client, ${trend.fdsAfter} after the last left`,
    },
  ];
}

/** The verdict as text: each check, then PASS or FAIL. */
export function formatVerdict(checks: readonly Check[]): string {
  const lines = checks.map((c) => `${c.pass ? "ok  " : "FAIL"}  ${c.name}: ${c.detail}`);
  lines.push(checks.every((c) => c.pass) ? "PASS" : "FAIL");
  return lines.join("\n");
}
