/**
 * A Prometheus scraper: `GET /metrics` every `--interval-ms` (default 1000)
 * on a kept-alive connection, with the headers Prometheus 2.42 sends (its
 * `Accept` list, `Accept-Encoding: gzip` and its scrape timeout, equal to the
 * interval). Scrapes follow the wall clock's grid of the interval (epoch ms);
 * one that overruns delays the next. With `--phase-ms=P` it scrapes only in
 * the even phases of the grid of P ms (see `load_flood.ts`), so a flood on the
 * same grid compares phases with scrapes and phases without. Once the first
 * scrape is answered the mode says it is ready; it runs until stopped (or `--duration-ms`), then reports how many
 * scrapes were answered and how long they took, so a flood run beside it
 * measures what scraping costs the server per click.
 *
 * Mode `scrape-burst` instead joins `--players` idle players, lets the
 * server settle for a second, then scrapes `--burst` times back to back and
 * reports the server's CPU per scrape (`--server-pid`): what one scrape
 * costs with that many connections open, without a flood's noise around it.
 *
 * @module
 */

import { closeAll, joinMany } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { cpuSeconds } from "./proc.ts";
import { quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";

/** What Prometheus 2.42 asks for: OpenMetrics first, then the text format. */
const ACCEPT = "application/openmetrics-text;version=1.0.0," +
  "application/openmetrics-text;version=0.0.1;q=0.75," +
  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/** What the scraper saw. */
export interface ScrapeResult {
  /** Scrapes answered 200, from ready to stop. */
  readonly scrapes: number;
  /** Scrapes that failed (another status, an error or the timeout). */
  readonly failed: number;
  readonly scrapesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Size of the last answer, in bytes. */
  readonly bytes: number;
}

/** What one scrape saw: its time and the answer's size; undefined when it failed. */
type Scrape = () => Promise<{ ms: number; bytes: number } | undefined>;

/** A scrape of `/metrics` at `base` as Prometheus sends it, given up after `timeoutMs`. */
function scraper(base: string, timeoutMs: number): Scrape {
  const url = new URL("metrics", base);
  const headers = {
    "accept": ACCEPT,
    "accept-encoding": "gzip",
    "user-agent": "Prometheus/2.42.0",
    "x-prometheus-scrape-timeout-seconds": String(timeoutMs / 1000),
  };
  return async () => {
    const started = nowMs();
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.arrayBuffer();
      return response.ok ? { ms: nowMs() - started, bytes: body.byteLength } : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Scrapes `/metrics` at the first `--url` until stopped (see module doc). */
export async function scrapeLoad(ctx: LoadContext): Promise<ScrapeResult> {
  const intervalMs = ctx.num("interval-ms", 1000);
  const durationMs = ctx.num("duration-ms", 60_000);
  const phaseMs = ctx.num("phase-ms", 0);
  const due = (at: number) => phaseMs === 0 || Math.floor(at / phaseMs) % 2 === 0;
  const scrape = scraper(ctx.base, intervalMs);
  const first = await scrape();
  if (first === undefined) throw new Error(`Cannot scrape ${ctx.base}metrics: it failed`);
  let bytes = first.bytes;
  let failed = 0;
  const times: number[] = [];
  let stopped = false;
  ctx.stopped.then(() => stopped = true);
  const from = nowMs();
  ctx.ready();
  for (let k = Math.floor(from / intervalMs) + 1; !stopped && nowMs() - from < durationMs; k++) {
    if (!due(k * intervalMs)) continue;
    // Wait for the next point on the grid, waking often enough to notice a stop.
    while (!stopped && nowMs() < k * intervalMs) {
      await sleep(Math.min(50, k * intervalMs - nowMs()));
    }
    if (stopped) break;
    const seen = await scrape();
    if (seen === undefined) {
      failed++;
      continue;
    }
    times.push(seen.ms);
    bytes = seen.bytes;
  }
  const seconds = Math.max(0.001, (nowMs() - from) / 1000);
  return {
    scrapes: times.length,
    failed,
    scrapesPerSecond: round3(times.length / seconds),
    p50Ms: round3(quantile(times, 0.5)),
    p99Ms: round3(quantile(times, 0.99)),
    maxMs: round3(quantile(times, 1)),
    bytes,
  };
}

/** What a burst of scrapes cost the server. */
export interface BurstResult {
  readonly players: number;
  readonly scrapes: number;
  /** The server's CPU time per scrape, in ms. */
  readonly serverMsPerScrape: number;
  readonly bytes: number;
}

/** Joins idle players, then scrapes back to back (see module doc). */
export async function scrapeBurstLoad(ctx: LoadContext): Promise<BurstResult> {
  const players = ctx.num("players", 1000);
  const burst = ctx.num("burst", 100);
  const pid = ctx.num("server-pid", 0);
  const scrape = scraper(ctx.base, 5000);
  const joined = await joinMany(players, ctx.urlOf);
  // Let the last player count go out before measuring.
  await sleep(1000);
  let bytes = 0;
  const cpu0 = cpuSeconds(pid);
  for (let i = 0; i < burst; i++) {
    const seen = await scrape();
    if (seen === undefined) throw new Error(`Cannot scrape ${ctx.base}metrics: it failed`);
    bytes = seen.bytes;
  }
  const seconds = cpuSeconds(pid) - cpu0;
  closeAll(joined);
  return { players, scrapes: burst, serverMsPerScrape: round3(seconds * 1000 / burst), bytes };
}
