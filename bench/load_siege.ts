/**
 * Idle and slow TCP connections, held open as an attacker would: `--idle`
 * connections that never send a byte, and `--trickle` connections that send
 * the start of a request head and then one more header byte a second, never
 * finishing it. A connection the server closes is opened again after
 * `--reconnect-ms`, so the pressure stays on until the bench stops the mode
 * (or `--hold-ms` passes).
 *
 * Connects go `--concurrency` at a time, as a client with a bounded number of
 * sockets in `connect` sends them. Once every connection has been tried once
 * (or `--ramp-ms` passed) the mode says it is ready, and from then on the
 * number open (as this process sees them) is sampled every 100 ms. A process
 * can hold about as many as its file limit allows; the bench splits the siege
 * across processes.
 *
 * @module
 */

import type { LoadContext } from "./load_context.ts";
import { median, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";

/** Result of one siege process. */
export interface SiegeResult {
  readonly wanted: number;
  /** Connections open when the ramp ended, and the least, median and most while holding. */
  readonly openAtReady: number;
  readonly openMin: number;
  readonly openMedian: number;
  readonly openMax: number;
  readonly rampMs: number;
  /** Connections the server closed (or reset) while holding, per second. */
  readonly closedPerSecond: number;
  /** Connects that failed, by reason (refused, timed out, out of files or ports). */
  readonly failures: Record<string, number>;
}

const encoder = new TextEncoder();

/** Holds the connections described by the flags (see module doc). */
export async function siegeLoad(ctx: LoadContext): Promise<SiegeResult> {
  const idle = ctx.num("idle", 1000);
  const trickle = ctx.num("trickle", 0);
  const rampMs = ctx.num("ramp-ms", 15_000);
  const holdMs = ctx.num("hold-ms", 30_000);
  const reconnectMs = ctx.num("reconnect-ms", 1000);
  const concurrency = ctx.num("concurrency", 256);
  const target = new URL(ctx.base);
  const start = encoder.encode(`GET /healthz HTTP/1.1\r\nHost: ${target.host}\r\nX-Slow: `);
  const open = new Set<Deno.TcpConn>();
  const trickling = new Set<Deno.TcpConn>();
  const failures: Record<string, number> = {};
  let closed = 0;
  let tried = 0;
  let holding = false;
  let running = true;

  let connecting = 0;
  const turns: (() => void)[] = [];
  async function connect(): Promise<Deno.TcpConn> {
    while (connecting >= concurrency) await new Promise<void>((resolve) => turns.push(resolve));
    connecting++;
    try {
      return await Deno.connect({
        hostname: target.hostname,
        port: Number(target.port),
        signal: AbortSignal.timeout(5000),
      });
    } finally {
      connecting--;
      turns.shift()?.();
    }
  }

  async function hold(slow: boolean): Promise<void> {
    const buf = new Uint8Array(4096);
    for (let first = true; running; first = false) {
      let conn: Deno.TcpConn;
      try {
        conn = await connect();
      } catch (error) {
        const name = (error as Error).name || "Error";
        failures[name] = (failures[name] ?? 0) + 1;
        if (first) tried++;
        await sleep(reconnectMs);
        continue;
      }
      if (first) tried++;
      open.add(conn);
      if (slow) {
        trickling.add(conn);
        conn.write(start).catch(() => {});
      }
      try {
        // The server sends nothing but, perhaps, an error before it closes.
        while (running && await conn.read(buf) !== null);
      } catch { /* reset, or closed by us */ }
      open.delete(conn);
      trickling.delete(conn);
      try {
        conn.close();
      } catch { /* closed by us at the end */ }
      if (!running) return;
      if (holding) closed++;
      await sleep(reconnectMs);
    }
  }

  const trickler = setInterval(() => {
    for (const conn of trickling) conn.write(encoder.encode("a")).catch(() => {});
  }, 1000);
  const holders = [
    ...Array.from({ length: idle }, () => hold(false)),
    ...Array.from({ length: trickle }, () => hold(true)),
  ];

  const started = nowMs();
  while (tried < idle + trickle && nowMs() - started < rampMs) await sleep(50);
  const ramped = nowMs();
  const openAtReady = open.size;
  holding = true;
  ctx.ready();
  const samples = [openAtReady];
  let stopped = false;
  ctx.stopped.then(() => stopped = true);
  while (!stopped && nowMs() - ramped < holdMs) {
    samples.push(open.size);
    await sleep(100);
  }
  const seconds = Math.max(0.001, (nowMs() - ramped) / 1000);
  running = false;
  clearInterval(trickler);
  for (const conn of open) {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  await Promise.race([Promise.all(holders), sleep(500)]);
  return {
    wanted: idle + trickle,
    openAtReady,
    openMin: Math.min(...samples),
    openMedian: median(samples),
    openMax: Math.max(...samples),
    rampMs: Math.round(ramped - started),
    closedPerSecond: round3(closed / seconds),
    failures,
  };
}
