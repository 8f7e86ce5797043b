/**
 * Race watchers: `--players` connections (from `--first-player`) that each
 * invoke `WatchRace` and then only read; with `--clicks=N` each clicks N
 * times first, so every watcher has its own place in the race (its own
 * `you`). Once all watch, the mode says it is ready; it runs until stopped (or `--duration-ms`), then reports how
 * many `Race` messages arrived, so a flood run beside it measures what the
 * race costs the server per click.
 *
 * @module
 */

import { closeAll, joinMany } from "./hub_client.ts";
import { ClientMethod, encodeRecord, HubMethod, MessageType } from "../src/hub/wire.ts";
import type { LoadContext } from "./load_context.ts";
import { round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";

/** What the watchers received. */
export interface WatchResult {
  readonly players: number;
  /** `Race` messages received from ready to stop. */
  readonly races: number;
  readonly racesPerSecond: number;
}

const RACE_MARK = `"${ClientMethod.Race}"`;

/** Joins the watchers, asks each for the race, and counts `Race` until stopped. */
export async function watchLoad(ctx: LoadContext): Promise<WatchResult> {
  const players = ctx.num("players", 5000);
  const first = ctx.num("first-player", 0);
  const durationMs = ctx.num("duration-ms", 60_000);
  const clicks = ctx.num("clicks", 0);
  const joined = await joinMany(players, (i) => ctx.urlOf(first + i));
  let races = 0;
  let counting = false;
  const watch = encodeRecord({
    type: MessageType.Invocation,
    target: HubMethod.WatchRace,
    arguments: [],
  });
  const click = encodeRecord({
    type: MessageType.Invocation,
    invocationId: "c",
    target: HubMethod.Increment,
    arguments: [],
  });
  for (const { socket } of joined) {
    socket.onmessage = (data) => {
      if (counting && data.includes(RACE_MARK)) races++;
    };
    // Sent before WatchRace on the same socket: counted before it is answered.
    socket.send(click.repeat(clicks) + watch);
  }
  // Keep-alive pings, since the server drops clients silent for 30 s.
  const ping = encodeRecord({ type: MessageType.Ping });
  const pinger = setInterval(() => {
    for (const { socket } of joined) socket.send(ping);
  }, 10_000);
  counting = true;
  const from = nowMs();
  ctx.ready();
  let stopped = false;
  ctx.stopped.then(() => stopped = true);
  while (!stopped && nowMs() - from < durationMs) await sleep(50);
  const seconds = Math.max(0.001, (nowMs() - from) / 1000);
  clearInterval(pinger);
  closeAll(joined);
  return { players, races, racesPerSecond: round3(races / seconds) };
}
