/**
 * What real players see while others attack: at `--start-at` (epoch ms),
 * `--players` players (from `--first-player` on) try to join, each within
 * `--join-timeout-ms`; those who got in run a closed loop of
 * `invoke("Increment")`, measured for `--duration-ms` after `--warmup-ms`, one every `--interval-ms` at
 * most (20 ms: a fast human, within the server's default message budget), while `--healthz` requests
 * `GET /healthz`, evenly spaced, each on a fresh connection. Nothing here
 * throws when the server doesn't answer: a player who can't join, an
 * invocation never answered and a health check that times out are all
 * counted and reported. `--ours` lists the bench's processes running beside
 * this one (the attack), so that they don't count as noise.
 *
 * @module
 */

import { closeAll, COMPLETION_MARK, incrementRecord, type Joined, joinHub } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { timedGet } from "./http_probe.ts";
import { quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";
import { cpuSnapshot, cpuUsage, openFds } from "./proc.ts";

/** Result of one probe run. */
export interface ProbeResult {
  readonly players: number;
  readonly joined: number;
  readonly samples: number;
  /** Round trips; an invocation still unanswered at the end counts as its wait so far. */
  readonly rttP50Ms: number;
  readonly rttP99Ms: number;
  readonly rttMaxMs: number;
  /** Players whose connection the server closed during the run. */
  readonly dropped: number;
  readonly healthz: number;
  readonly healthzOk: number;
  /** Health checks that answered 200; null (NaN) when any failed. */
  readonly healthzP50Ms: number;
  readonly healthzP99Ms: number;
  /** Descriptors the server held when the run began (needs `--server-pid`); NaN when unreadable. */
  readonly serverFds: number;
  /** Cores used meanwhile by everything but the server, this process and `--ours` (noise). */
  readonly otherCpu: number;
}

/** Runs the probe described by the flags (see module doc). */
export async function probeLoad(ctx: LoadContext): Promise<ProbeResult> {
  const players = ctx.num("players", 10);
  const first = ctx.num("first-player", 0);
  const durationMs = ctx.num("duration-ms", 2000);
  const checks = ctx.num("healthz", 0);
  const joinTimeoutMs = ctx.num("join-timeout-ms", 5000);
  const intervalMs = ctx.num("interval-ms", 20);
  const warmupMs = ctx.num("warmup-ms", 300);
  await sleep(Math.max(0, ctx.num("start-at", 0) - nowMs()));
  const pid = ctx.num("server-pid", 0);
  const ours = ctx.nums("ours");
  const serverFds = openFds(pid);

  const tries = await Promise.allSettled(
    Array.from({ length: players }, (_, i) => joinHub(ctx.urlOf(first + i), joinTimeoutMs)),
  );
  const joined = tries.flatMap((t) => t.status === "fulfilled" ? [t.value] : []);
  const samples: number[] = [];
  const waiting = new Set<{ sentAt: number }>();
  let running = true;
  let recording = false;
  let dropped = 0;
  joined.forEach(({ socket }: Joined) => {
    let id = 0;
    let pending = { sentAt: 0 };
    const send = () => {
      if (!running) return;
      pending = { sentAt: nowMs() };
      waiting.add(pending);
      socket.send(incrementRecord(++id));
    };
    socket.onmessage = (data) => {
      if (!data.includes(COMPLETION_MARK)) return;
      const at = nowMs();
      waiting.delete(pending);
      if (recording) samples.push(at - pending.sentAt);
      if (running) setTimeout(send, Math.max(0, pending.sentAt + intervalMs - at));
    };
    socket.onclose = () => {
      if (running) dropped++;
    };
    send();
  });

  // The warm-up check readies this process's code; it isn't counted.
  await Promise.all([sleep(warmupMs), timedGet(ctx.base, "/healthz", 1000)]);
  recording = true;
  const cpu0 = cpuSnapshot(pid, ours);
  const healthz: { status: number; ms: number }[] = [];
  const checking = (async () => {
    const started = performance.now();
    for (let i = 0; i < checks; i++) {
      await sleep(Math.max(0, i * durationMs / checks - (performance.now() - started)));
      healthz.push(await timedGet(ctx.base, "/healthz", 3000));
    }
  })();
  await sleep(durationMs);
  running = false;
  const cpu = cpuUsage(cpu0, cpuSnapshot(pid, ours));
  const end = nowMs();
  for (const { sentAt } of waiting) samples.push(end - sentAt);
  await checking;
  closeAll(joined);
  const ok = healthz.filter((h) => h.status === 200);
  // With 20 checks p99 is the slowest: one that failed has no time to show.
  const times = ok.length === healthz.length ? ok.map((h) => h.ms) : [];
  return {
    players,
    joined: joined.length,
    samples: samples.length,
    rttP50Ms: round3(quantile(samples, 0.5)),
    rttP99Ms: round3(quantile(samples, 0.99)),
    rttMaxMs: round3(quantile(samples, 1)),
    dropped,
    healthz: checks,
    healthzOk: ok.length,
    healthzP50Ms: round3(quantile(times, 0.5)),
    healthzP99Ms: round3(quantile(times, 0.99)),
    serverFds,
    otherCpu: round3(cpu.other),
  };
}
