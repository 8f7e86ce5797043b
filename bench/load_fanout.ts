/**
 * `EndRound` fan-out and memory per idle player.
 *
 * Opens idle players step by step up to each size in `--sizes` (e.g.
 * `1000,5000`). At each size it lets `--warmup` whole rounds go by, then
 * times every `EndRound` receipt of the next `--rounds` against the deadline
 * of the round it closes (`nextRoundEndsAt − roundDurationMs`): the per-round
 * figure is the time from the deadline to the last receipt, plus p50/p99 over
 * all receipts. With `--server-pid` it reads the server's VmRSS from `/proc`
 * before the first player and after each size has settled, giving memory per
 * idle player, and the server's CPU time over the measured rounds, per round.
 * `--url` may list several servers: players are spread over them in turn,
 * and `--ours` lists the processes (those servers, Redis) left out of the
 * noise figure. With `--scorers=N`, N more players (after the largest size)
 * each click every 100 ms, so every round ends with N players in its
 * standings; they are not timed.
 *
 * The receive handler only stamps the time and keeps the text; parsing waits
 * until the round is over, so the generator adds as little delay as it can.
 *
 * @module
 */

import { closeAll, END_ROUND_MARK, incrementRecord, type Joined, joinMany } from "./hub_client.ts";
import { encodeRecord, MessageType } from "../src/hub/wire.ts";
import type { LoadContext } from "./load_context.ts";
import { median, quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";
import { cpuSnapshot, cpuUsage, rssKiB } from "./proc.ts";

/** Fan-out figures at one size. */
export interface FanoutStep {
  readonly players: number;
  readonly rounds: number;
  /** Median over rounds of deadline → last receipt. */
  readonly lastMs: number;
  /** p99 over rounds of deadline → last receipt (the slowest round, with fewer than 100). */
  readonly lastP99Ms: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Receipts missing over all measured rounds (should be 0). */
  readonly missing: number;
  readonly rssKiB: number;
  readonly kibPerPlayer: number;
  /** Cores used by everything else on the machine while the rounds were timed (noise). */
  readonly otherCpu: number;
  /** The server's CPU time over the measured rounds, per round (ms). */
  readonly serverCpuMs: number;
}

/** Result of one fan-out run. */
export interface FanoutResult {
  readonly rssIdleKiB: number;
  readonly steps: readonly FanoutStep[];
}

/** Runs the fan-out steps described by the flags. */
export async function fanoutLoad(ctx: LoadContext): Promise<FanoutResult> {
  const sizes = (ctx.flags.get("sizes") ?? "1000,5000").split(",").map(Number);
  const rounds = ctx.num("rounds", 3);
  const warmup = ctx.num("warmup", 1);
  const settleMs = ctx.num("settle-ms", 700);
  const pid = ctx.num("server-pid", 0);
  const ours = ctx.nums("ours");
  const scorers = await joinMany(ctx.num("scorers", 0), (i) => ctx.urlOf(Math.max(...sizes) + i));
  const click = incrementRecord();
  const clicker = setInterval(() => {
    for (const { socket } of scorers) socket.send(click);
  }, 100);
  const players: Joined[] = [];
  const stamps: number[] = [];
  const texts: string[] = [];

  const listen = ({ socket }: Joined) => {
    socket.onmessage = (data) => {
      const at = nowMs();
      if (data.includes(END_ROUND_MARK)) {
        stamps.push(at);
        texts.push(data);
      }
    };
  };
  // Keep-alive pings, since the server drops clients silent for 30 s.
  const ping = encodeRecord({ type: MessageType.Ping });
  const pinger = setInterval(() => {
    for (const { socket } of players) socket.send(ping);
  }, 10_000);

  await sleep(settleMs);
  const rssIdle = pid ? rssKiB(pid) : NaN;
  const steps: FanoutStep[] = [];
  try {
    for (const size of sizes) {
      const added = await joinMany(size - players.length, (i) => ctx.urlOf(players.length + i));
      added.forEach(listen);
      players.push(...added);
      await sleep(settleMs);
      const rss = pid ? rssKiB(pid) : NaN;
      const roundMs = players[0].gameInfo.roundDurationMs;
      const from = nowMs();
      stamps.length = texts.length = 0;
      // Whole rounds only: deadlines after `from`. The CPU window is as long as
      // the measured rounds, so it holds as many deadlines as they do.
      await sleep(roundMs * warmup);
      const cpu0 = cpuSnapshot(pid, ours);
      await sleep(roundMs * rounds);
      const cpu = cpuUsage(cpu0, cpuSnapshot(pid, ours));
      // The last measured round's receipts, however slowly this process reads them.
      const window = { roundMs, from, warmup, rounds, size };
      const until = nowMs() + roundMs + 5000;
      while (nowMs() < until && !received(texts, window)) await sleep(50);
      steps.push({
        ...fanoutFigures(stamps, texts, window),
        otherCpu: round3(cpu.other),
        serverCpuMs: round3(cpu.server * roundMs),
        rssKiB: rss,
        kibPerPlayer: round3((rss - rssIdle) / size),
      });
    }
  } finally {
    clearInterval(pinger);
    clearInterval(clicker);
    closeAll(players);
    closeAll(scorers);
  }
  return { rssIdleKiB: rssIdle, steps };
}

/** Which rounds of a step are measured: `rounds` whole ones after `warmup` after `from`. */
interface Window {
  readonly roundMs: number;
  readonly from: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly size: number;
}

/** The deadline of the round an `EndRound` text closes, or NaN. */
function deadlineOf(text: string, roundMs: number): number {
  const match = /"nextRoundEndsAt":(\d+)/.exec(text);
  return match ? Number(match[1]) - roundMs : NaN;
}

/** Whether every socket received the `EndRound` of every measured round. */
function received(
  texts: readonly string[],
  { roundMs, from, warmup, rounds, size }: Window,
): boolean {
  const counts = new Map<number, number>();
  for (const text of texts) {
    const deadline = deadlineOf(text, roundMs);
    if (deadline >= from) counts.set(deadline, (counts.get(deadline) ?? 0) + 1);
  }
  const measured = [...counts.keys()].sort((a, b) => a - b).slice(warmup, warmup + rounds);
  return measured.length === rounds && measured.every((deadline) => counts.get(deadline)! >= size);
}

function fanoutFigures(
  stamps: readonly number[],
  texts: readonly string[],
  { roundMs, from, warmup, rounds, size }: Window,
): Omit<FanoutStep, "rssKiB" | "kibPerPlayer" | "otherCpu" | "serverCpuMs"> {
  const byDeadline = new Map<number, number[]>();
  for (let i = 0; i < stamps.length; i++) {
    const deadline = deadlineOf(texts[i], roundMs);
    if (!(deadline >= from)) continue;
    let list = byDeadline.get(deadline);
    if (!list) byDeadline.set(deadline, list = []);
    list.push(stamps[i] - deadline);
  }
  const measured = [...byDeadline.keys()].sort((a, b) => a - b).slice(warmup, warmup + rounds);
  const all: number[] = [];
  const lasts: number[] = [];
  let missing = 0;
  for (const deadline of measured) {
    const delays = byDeadline.get(deadline)!;
    all.push(...delays);
    lasts.push(Math.max(...delays));
    missing += Math.max(0, size - delays.length);
  }
  missing += (rounds - measured.length) * size;
  return {
    players: size,
    rounds: measured.length,
    lastMs: round3(median(lasts)),
    lastP99Ms: round3(quantile(lasts, 0.99)),
    p50Ms: round3(quantile(all, 0.5)),
    p99Ms: round3(quantile(all, 0.99)),
    missing,
  };
}
