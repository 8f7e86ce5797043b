/**
 * What the soak reads of the server from outside: its resident memory and
 * open file descriptors from `/proc`, and `GET /healthz` on a fresh
 * connection, timed. The server exposes no event-loop lag, so the time
 * `/healthz` takes stands in for it: an upper bound (it includes a TCP
 * connect, the HTTP parse and a `select 1` on the database).
 *
 * @module
 */

import { writeAll } from "../tests/abuse/raw_socket.ts";
import { rssKiB } from "./proc.ts";
import { nowMs } from "./timing.ts";

/** Open file descriptors of process `pid` (entries of `/proc/PID/fd`), or NaN. */
export function openFds(pid: number): number {
  try {
    let count = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) count++;
    return count;
  } catch {
    return NaN;
  }
}

/** Resident memory of process `pid` in MiB, or NaN. */
export function rssMiB(pid: number): number {
  return rssKiB(pid) / 1024;
}

/** One `/healthz` check: status (0 without an answer), time taken, and the body's `online`. */
export interface Health {
  readonly status: number;
  readonly ms: number;
  readonly online?: { readonly players: number; readonly connections: number };
}

/** `GET /healthz` at `base` on a new connection (`Connection: close`); gives up after `timeoutMs`. */
export async function checkHealth(base: string, timeoutMs = 5000): Promise<Health> {
  const url = new URL("/healthz", base);
  const started = nowMs();
  const signal = AbortSignal.timeout(timeoutMs);
  let conn: Deno.TcpConn | undefined;
  const onAbort = () => {
    try {
      conn?.close();
    } catch { /* already closed */ }
  };
  signal.addEventListener("abort", onAbort);
  try {
    conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port), signal });
    conn.setNoDelay(true);
    await writeAll(
      conn,
      new TextEncoder().encode(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const decoder = new TextDecoder();
    const buf = new Uint8Array(16 * 1024);
    let text = "";
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
    }
    const ms = nowMs() - started;
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
    const body = text.slice(text.indexOf("\r\n\r\n") + 4);
    let online;
    try {
      // Chunked or not, the JSON object is the part between the outer braces.
      online = JSON.parse(body.slice(body.indexOf("{"), body.lastIndexOf("}") + 1)).online;
    } catch { /* not JSON: the status says enough */ }
    return { status, ms, online };
  } catch {
    return { status: 0, ms: nowMs() - started };
  } finally {
    signal.removeEventListener("abort", onAbort);
    onAbort();
  }
}
