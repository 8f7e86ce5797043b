/**
 * What the soak reads of the server from outside: its resident memory from
 * `/proc`, and `GET /healthz` on a fresh connection, timed. The server
 * exposes no event-loop lag, so the time `/healthz` takes stands in for it:
 * an upper bound (it includes a TCP connect, the HTTP parse and a `select 1`
 * on the database).
 *
 * @module
 */

import { timedGet } from "./http_probe.ts";
import { rssKiB } from "./proc.ts";

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
  const { status, ms, body } = await timedGet(base, "/healthz", timeoutMs);
  let online;
  try {
    // Chunked or not, the JSON object is the part between the outer braces.
    online = JSON.parse(body.slice(body.indexOf("{"), body.lastIndexOf("}") + 1)).online;
  } catch { /* not JSON: the status says enough */ }
  return { status, ms, online };
}
