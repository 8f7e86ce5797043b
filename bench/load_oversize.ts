/**
 * Memory under oversize messages: `--sockets` players (from `--first-player`
 * on) upgrade at once and each starts a message it never finishes, writing as
 * fast as the server reads. Even sockets send a text frame with FIN=0 and then
 * continuation frames with FIN=0, 16 KiB each, forever; odd ones announce one
 * frame of `--frame-mib` and stream its payload.
 *
 * Two phases of `--phase-ms` each: first every socket attacks once and stays
 * closed once the server closes it; then the sockets upgrade again after
 * every close and start over, as an attacker would. The server's VmRSS is
 * read after `--settle-ms` of quiet, then every 20 ms; each phase's figure is
 * its peak minus that idle reading. The attack stops early once the growth
 * passes `--max-growth-mib`, so a server without bounds can't take the
 * machine's memory; the result says so.
 *
 * @module
 */

import type { LoadContext } from "./load_context.ts";
import { openUpgraded } from "./raw_socket.ts";
import { frameHeader, Opcode, writeAll } from "../tests/abuse/raw_socket.ts";
import { rssKiB } from "./proc.ts";
import { round3 } from "./stats.ts";
import { sleep } from "./timing.ts";

/** What one phase did to the server. */
export interface OversizePhase {
  readonly growthMiB: number;
  /** Payload the kernel took from the attackers, in MiB (not all of it reached the server). */
  readonly sentMiB: number;
  readonly upgrades: number;
  readonly upgradeFailures: number;
}

/** Result of the attack. */
export interface OversizeResult {
  readonly sockets: number;
  readonly rssIdleMiB: number;
  readonly once: OversizePhase;
  readonly reconnecting: OversizePhase;
  /** Whether the attack stopped at `--max-growth-mib` rather than at its end. */
  readonly capped: boolean;
}

const CHUNK = 16 * 1024;

/** Runs the attack described by the flags (see module doc). */
export async function oversizeLoad(ctx: LoadContext): Promise<OversizeResult> {
  const sockets = ctx.num("sockets", 100);
  const first = ctx.num("first-player", 0);
  const phaseMs = ctx.num("phase-ms", 2500);
  const frameBytes = ctx.num("frame-mib", 48) * 2 ** 20;
  const maxGrowthKiB = ctx.num("max-growth-mib", 1024) * 1024;
  const pid = ctx.num("server-pid", 0);
  if (!pid) throw new TypeError("--server-pid is required: the figure is the server's memory");
  await sleep(ctx.num("settle-ms", 500));
  const idle = rssKiB(pid);
  let peak = idle;
  let capped = false;
  const payload = new Uint8Array(CHUNK).fill(0x61); // "a": valid text, whatever the cut
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKiB(pid));
    if (peak - idle > maxGrowthKiB) capped = true;
  }, 20);

  async function phase(reconnect: boolean): Promise<OversizePhase> {
    let running = !capped;
    let sent = 0;
    let upgrades = 0;
    let upgradeFailures = 0;
    const conns = new Set<Deno.TcpConn>();

    async function attack(index: number): Promise<void> {
      const fragments = index % 2 === 0;
      while (running) {
        let conn: Deno.TcpConn;
        try {
          conn = (await openUpgraded(ctx.urlOf(first + index), 5000)).conn;
        } catch {
          upgradeFailures++;
          await sleep(100);
          continue;
        }
        upgrades++;
        conns.add(conn);
        // Whatever the server sends is a close (or nothing); either way this message is over.
        const done = (async () => {
          try {
            await conn.read(new Uint8Array(1024));
          } catch { /* closed by us */ }
          try {
            conn.close();
          } catch { /* already closed */ }
        })();
        try {
          const length = fragments ? CHUNK : frameBytes;
          await writeAll(conn, frameHeader(Opcode.Text, length, { fin: !fragments }));
          for (let at = 0; running && (fragments || at < frameBytes); at += CHUNK) {
            if (fragments && at > 0) {
              await writeAll(conn, frameHeader(Opcode.Continuation, CHUNK, { fin: false }));
            }
            await writeAll(conn, payload);
            sent += CHUNK;
          }
        } catch { /* the server closed it */ }
        await done;
        conns.delete(conn);
        if (!reconnect) return;
      }
    }

    const started = performance.now();
    const attackers = Array.from({ length: sockets }, (_, i) => attack(i));
    while (!capped && performance.now() - started < phaseMs) await sleep(20);
    running = false;
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await Promise.race([Promise.all(attackers), sleep(1000)]);
    peak = Math.max(peak, rssKiB(pid));
    return {
      growthMiB: round3((peak - idle) / 1024),
      sentMiB: round3(sent / 2 ** 20),
      upgrades,
      upgradeFailures,
    };
  }

  const once = await phase(false);
  const reconnecting = await phase(true);
  clearInterval(sampler);
  return { sockets, rssIdleMiB: round3(idle / 1024), once, reconnecting, capped };
}
