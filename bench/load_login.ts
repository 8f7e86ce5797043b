/**
 * Event-loop lag during logins, seen from outside: one probe player sends
 * `invoke("Increment")` every `interval` ms (several may be in flight, so a
 * stall shows as many slow answers, not one), first while the server is idle,
 * then while `logins` concurrent `POST /api/account/login` hash their
 * passwords. The probe's round-trip p99 bounds the lag of the server's event
 * loop from above.
 *
 * @module
 */

import { closeAll, incrementRecord, joinHub } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";
import { cpuSnapshot, cpuUsage } from "./proc.ts";

/** Result of one login-lag run. */
export interface LoginLagResult {
  readonly logins: number;
  readonly loginsOk: number;
  readonly loginsWallMs: number;
  readonly idleP99Ms: number;
  readonly busyP50Ms: number;
  readonly busyP99Ms: number;
  readonly busyMaxMs: number;
  readonly busySamples: number;
  /** Cores used by everything else on the machine meanwhile (noise). */
  readonly otherCpu: number;
}

/** Runs the probe, idle then during the logins, as described by the flags. */
export async function loginLagLoad(ctx: LoadContext): Promise<LoginLagResult> {
  const logins = ctx.num("logins", 20);
  const intervalMs = ctx.num("interval-ms", 5);
  const idleMs = ctx.num("idle-ms", 700);
  const probeIndex = ctx.num("probe-player", logins);
  const probe = await joinHub(ctx.urlOf(probeIndex));
  const sentAt = new Map<string, number>();
  const answers: { sent: number; rtt: number }[] = [];
  probe.socket.onmessage = (data) => {
    const at = nowMs();
    for (const match of data.matchAll(/"invocationId":"(\d+)"/g)) {
      const sent = sentAt.get(match[1]);
      if (sent !== undefined) answers.push({ sent, rtt: at - sent });
      sentAt.delete(match[1]);
    }
  };
  let id = 0;
  const ticker = setInterval(() => {
    sentAt.set(String(++id), nowMs());
    probe.socket.send(incrementRecord(id));
  }, intervalMs);

  await sleep(idleMs);
  const loginStart = nowMs();
  const cpu0 = cpuSnapshot(ctx.num("server-pid", 0));
  const accounts = ctx.accounts;
  const results = await Promise.all(Array.from({ length: logins }, async (_, i) => {
    const username = accounts?.usernames[i] ?? `bench${i}`;
    const password = accounts?.password ?? "Bench-password-1";
    const response = await fetch(new URL("/api/account/login", ctx.base), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
      signal: AbortSignal.timeout(20_000),
    });
    await response.body?.cancel();
    return response.ok;
  }));
  const loginEnd = nowMs();
  const cpu = cpuUsage(cpu0, cpuSnapshot(ctx.num("server-pid", 0)));
  await sleep(50);
  clearInterval(ticker);
  await sleep(100);
  closeAll([probe]);

  const idle = answers.filter((a) => a.sent < loginStart).map((a) => a.rtt);
  const busy = answers.filter((a) => a.sent >= loginStart && a.sent <= loginEnd).map((a) => a.rtt);
  // A probe never answered during the logins counts as lagging until the end.
  for (const sent of sentAt.values()) {
    if (sent >= loginStart && sent <= loginEnd) busy.push(Infinity);
  }
  return {
    logins,
    loginsOk: results.filter(Boolean).length,
    loginsWallMs: round3(loginEnd - loginStart),
    idleP99Ms: round3(quantile(idle, 0.99)),
    busyP50Ms: round3(quantile(busy, 0.5)),
    busyP99Ms: round3(quantile(busy, 0.99)),
    busyMaxMs: round3(quantile(busy, 1)),
    busySamples: busy.length,
    otherCpu: round3(cpu.other),
  };
}
