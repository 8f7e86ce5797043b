/**
 * One timed HTTP request on a fresh TCP connection, as a newcomer would send
 * it while the server is under attack: connect, `GET` with
 * `Connection: close`, read to the end. No pool, so every probe pays for a
 * new connection, and every failure (refused, reset, silence) is a result,
 * not an exception.
 *
 * @module
 */

import { writeAll } from "../tests/abuse/raw_socket.ts";
import { nowMs } from "./timing.ts";

/** What one probe saw: the status (0 when there was no answer), the time it took and the body. */
export interface Probe {
  readonly status: number;
  readonly ms: number;
  /** As it came off the wire (chunked or not); empty without an answer. */
  readonly body: string;
}

/** `GET path` at `base` on a new connection; gives up after `timeoutMs`. */
export async function timedGet(base: string, path: string, timeoutMs = 3000): Promise<Probe> {
  const url = new URL(path, base);
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
    const split = text.indexOf("\r\n\r\n");
    return { status, ms, body: split < 0 ? "" : text.slice(split + 4) };
  } catch {
    return { status: 0, ms: nowMs() - started, body: "" };
  } finally {
    signal.removeEventListener("abort", onAbort);
    onAbort();
  }
}
