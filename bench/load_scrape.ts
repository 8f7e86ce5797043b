/**
 * A Prometheus scraper: `GET /metrics` every `--interval-ms` (default 1000)
 * on a kept-alive connection, with the headers Prometheus 2.42 sends (its
 * `Accept` list, `Accept-Encoding: gzip` and its scrape timeout, equal to the
 * interval). Scrapes follow the interval's grid from the first one; one that
 * overruns delays the next. Once the first scrape is answered the mode says it is
 * ready; it runs until stopped (or `--duration-ms`), then reports how many
 * scrapes were answered and how long they took, so a flood run beside it
 * measures what scraping costs the server per click.
 *
 * @module
 */

import type { LoadContext } from "./load_context.ts";
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

/** Scrapes `/metrics` at the first `--url` until stopped (see module doc). */
export async function scrapeLoad(ctx: LoadContext): Promise<ScrapeResult> {
  const intervalMs = ctx.num("interval-ms", 1000);
  const durationMs = ctx.num("duration-ms", 60_000);
  const url = new URL("metrics", ctx.base);
  const headers = {
    "accept": ACCEPT,
    "accept-encoding": "gzip",
    "user-agent": "Prometheus/2.42.0",
    "x-prometheus-scrape-timeout-seconds": String(intervalMs / 1000),
  };
  const scrape = async (): Promise<{ ms: number; bytes: number } | undefined> => {
    const started = nowMs();
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(intervalMs) });
      const body = await response.arrayBuffer();
      return response.ok ? { ms: nowMs() - started, bytes: body.byteLength } : undefined;
    } catch {
      return undefined;
    }
  };
  const first = await scrape();
  if (first === undefined) throw new Error(`Cannot scrape ${url}: the first scrape failed`);
  let bytes = first.bytes;
  let failed = 0;
  const times: number[] = [];
  let stopped = false;
  ctx.stopped.then(() => stopped = true);
  const from = nowMs();
  ctx.ready();
  for (let k = 1; !stopped && nowMs() - from < durationMs; k++) {
    // Wait for the next point on the grid, waking often enough to notice a stop.
    while (!stopped && nowMs() < from + k * intervalMs) {
      await sleep(Math.min(50, from + k * intervalMs - nowMs()));
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
