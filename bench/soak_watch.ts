/**
 * Watches the servers while the soak plays: `/healthz` on each once a
 * second, memory and descriptors every 10 s for the trend, and once a minute
 * a line of what it saw (printed, and kept for the report).
 *
 * @module
 */

import type { ClientLog } from "./soak_events.ts";
import { openFds } from "./proc.ts";
import { checkHealth, rssMiB } from "./soak_probe.ts";
import { formatMinute, type MinuteLine } from "./soak_report.ts";
import type { SoakServer } from "./soak_target.ts";
import type { Sample } from "./soak_trend.ts";
import { quantile } from "./stats.ts";
import { sleep } from "./timing.ts";

/** How often memory and descriptors are read for the trend. */
const SAMPLE_MS = 10_000;

/** What the watch needs besides the servers. */
export interface WatchOptions {
  /** `performance.now()` when the play began, and how long it lasts. */
  readonly started: number;
  readonly minutes: number;
  /** Every connection's log so far. */
  readonly logs: () => readonly ClientLog[];
  /** The invocation round trips since the last call (ms). */
  readonly roundTrips: () => readonly number[];
  /** Where lines go (default `console.log`). */
  readonly print?: (line: string) => void;
}

/** What the watch saw: the minute lines, and each server's samples. */
export interface Watched {
  readonly lines: readonly MinuteLine[];
  readonly samples: readonly (readonly Sample[])[];
}

/** Watches `servers` until the play's time is up. */
export async function watch(
  servers: readonly SoakServer[],
  options: WatchOptions,
): Promise<Watched> {
  const { started, minutes, logs, roundTrips, print = console.log } = options;
  const lines: MinuteLine[] = [];
  const samples: Sample[][] = servers.map(() => []);
  let health: number[] = [];
  let healthFailures = 0;
  const online = servers.map(() => ({ players: 0, connections: 0 }));
  const endAt = started + minutes * 60_000;
  let nextSample = started + SAMPLE_MS;
  let nextMinute = started + 60_000;
  while (true) {
    for (const [i, server] of servers.entries()) {
      const checked = await checkHealth(server.base);
      health.push(checked.ms);
      if (checked.status !== 200) healthFailures++;
      if (checked.online) online[i] = checked.online;
    }
    const now = performance.now();
    const over = now >= endAt;
    const minute = Math.round((now - started) / 6000) / 10;
    if (now >= nextSample || over) {
      servers.forEach((server, i) =>
        samples[i].push({ minute, rssMiB: rssMiB(server.pid), fds: openFds(server.pid) })
      );
      nextSample += SAMPLE_MS;
    }
    if (now >= nextMinute || over) {
      const trips = roundTrips();
      const events = logs().flatMap((log) => log.events);
      const downs = events.filter((e) => e.kind === "down");
      const line: MinuteLine = {
        minute,
        rssMiB: samples.map((s) => s[s.length - 1].rssMiB),
        fds: samples.map((s) => s[s.length - 1].fds),
        healthP99Ms: quantile(health, 0.99),
        healthChecks: health.length,
        healthFailures,
        invokeP99Ms: quantile(trips, 0.99),
        invokes: trips.length,
        // With several servers each counts the whole game's players, and its own connections.
        players: Math.max(...online.map((o) => o.players)),
        connections: online.reduce((sum, o) => sum + o.connections, 0),
        rounds: new Set(events.filter((e) => e.kind === "end").map((e) => e.roundId)).size,
        unexpectedDowns: downs.filter((d) => d.kind === "down" && !d.expected).length,
        expectedDowns: downs.filter((d) => d.kind === "down" && d.expected).length,
      };
      lines.push(line);
      print(formatMinute(line));
      health = [];
      healthFailures = 0;
      nextMinute += 60_000;
    }
    if (over) return { lines, samples };
    await sleep(Math.max(0, Math.min(1000, endAt - performance.now())));
  }
}
