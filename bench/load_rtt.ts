/**
 * Invoke round-trip: N players each run a closed loop of
 * `invoke("Increment")` (one in flight, the next sent as soon as the
 * completion lands) and the generator reports the round-trip p50 and p99.
 *
 * @module
 */

import { closeAll, COMPLETION_MARK, incrementRecord, joinMany } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";
import { cpuSnapshot, cpuUsage } from "./proc.ts";

/** Result of one round-trip run. */
export interface RttResult {
  readonly players: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Cores used by everything else on the machine meanwhile (noise). */
  readonly otherCpu: number;
}

/** Runs the closed-loop round-trip measurement described by the flags. */
export async function rttLoad(ctx: LoadContext): Promise<RttResult> {
  const players = ctx.num("players", 10);
  const warmupMs = ctx.num("warmup-ms", 300);
  const durationMs = ctx.num("duration-ms", 2000);
  const joined = await joinMany(players, ctx.urlOf);
  const samples: number[] = [];
  let recording = false;
  let running = true;

  for (const { socket } of joined) {
    let id = 0;
    let sentAt = 0;
    const send = () => {
      sentAt = nowMs();
      socket.send(incrementRecord(++id));
    };
    socket.onmessage = (data) => {
      if (!data.includes(COMPLETION_MARK)) return;
      if (recording) samples.push(nowMs() - sentAt);
      if (running) send();
    };
    send();
  }

  await sleep(warmupMs);
  recording = true;
  const cpu0 = cpuSnapshot(ctx.num("server-pid", 0));
  await sleep(durationMs);
  const cpu = cpuUsage(cpu0, cpuSnapshot(ctx.num("server-pid", 0)));
  recording = false;
  running = false;
  await sleep(50);
  closeAll(joined);
  return {
    players,
    samples: samples.length,
    p50Ms: round3(quantile(samples, 0.5)),
    p99Ms: round3(quantile(samples, 0.99)),
    maxMs: round3(quantile(samples, 1)),
    otherCpu: round3(cpu.other),
  };
}
