/**
 * A minimal WebSocket client (RFC 6455, text frames only) over `Deno.connect`,
 * for the load generators.
 *
 * Why not the built-in `WebSocket`: its client turns `TCP_NODELAY` off, so
 * small frames wait on Nagle's algorithm and a single player's flood stalls
 * for tens of milliseconds at random; browsers keep it on. This client sets
 * no-delay, hands over every frame of a read in one go, and writes frames
 * queued meanwhile in one syscall. It masks with a zero key (allowed on the
 * wire, and the payload goes out as is), answers pings, and speaks only to
 * the local servers the benchmark starts. Frames are written and read with
 * the tests' encoder (`tests/abuse/raw_socket.ts`); the attacks take a bare
 * upgraded connection from {@linkcode openUpgraded}.
 *
 * @module
 */

import {
  encodeFrame,
  Opcode,
  readFrameHead,
  upgradeRequest,
  writeAll,
} from "../tests/abuse/raw_socket.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER_END = encoder.encode("\r\n\r\n");

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  outer: for (let i = from; i <= to - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A TCP connection past a WebSocket upgrade, with the bytes read beyond the 101 answer. */
export interface Upgraded {
  readonly conn: Deno.TcpConn;
  readonly rest: Uint8Array;
}

/**
 * Connects to a `ws://` URL and completes the upgrade; rejects unless the
 * answer is 101 within `timeoutMs`.
 */
export async function openUpgraded(url: string, timeoutMs = 10_000): Promise<Upgraded> {
  const target = new URL(url);
  const conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  conn.setNoDelay(true);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await writeAll(conn, encoder.encode(upgradeRequest(target)));
    const buf = new Uint8Array(16 * 1024);
    let end = 0;
    while (true) {
      const n = await conn.read(buf.subarray(end));
      if (n === null) throw new Error("Cannot upgrade: connection closed");
      end += n;
      const at = indexOf(buf, HEADER_END, Math.max(0, end - n - 3), end);
      if (at === -1) continue;
      const head = decoder.decode(buf.subarray(0, at));
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new Error(`Cannot upgrade: ${head.split("\r\n")[0]}`);
      }
      return { conn, rest: buf.slice(at + 4, end) };
    }
  } catch (error) {
    try {
      conn.close();
    } catch { /* already closed */ }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** An open client connection; set `onmessage` and `onclose` to listen. */
export class RawWebSocket {
  /** Called with the text of each message, in order. */
  onmessage: ((text: string) => void) | null = null;
  /** Called once when the connection ends, for whatever reason. */
  onclose: ((reason: string) => void) | null = null;
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(64 * 1024);
  #end = 0;
  #pending: Uint8Array[] = [];
  #writing = false;
  #drained: (() => void)[] = [];
  #closed = false;

  private constructor(conn: Deno.TcpConn, rest: Uint8Array) {
    this.#conn = conn;
    this.#buf.set(rest);
    this.#end = rest.length;
    queueMicrotask(() => this.#readLoop());
  }

  /** Connects to a `ws://` URL and completes the upgrade; rejects unless the answer is 101. */
  static async connect(url: string, timeoutMs = 10_000): Promise<RawWebSocket> {
    const { conn, rest } = await openUpgraded(url, timeoutMs);
    return new RawWebSocket(conn, rest);
  }

  /** Queues one text message; frames queued while a write is running go out together. */
  send(text: string): void {
    if (this.#closed) return;
    this.#pending.push(encodeFrame(Opcode.Text, encoder.encode(text)));
    if (!this.#writing) this.#flush();
  }

  /** Resolves once every queued frame is written, or the connection has ended. */
  flushed(): Promise<void> {
    if (!this.#writing || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Sends a close frame and ends the connection. */
  close(code = 1000): void {
    if (this.#closed) return;
    const payload = new Uint8Array([code >> 8, code & 0xff]);
    this.#pending.push(encodeFrame(Opcode.Close, payload));
    if (!this.#writing) this.#flush().finally(() => this.#finish("closed by client"));
    else this.#finish("closed by client");
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0 && !this.#closed) {
        const parts = this.#pending;
        this.#pending = [];
        const total = parts.reduce((sum, p) => sum + p.length, 0);
        const chunk = parts.length === 1 ? parts[0] : new Uint8Array(total);
        if (parts.length > 1) {
          let at = 0;
          for (const p of parts) chunk.set(p, (at += p.length) - p.length);
        }
        await writeAll(this.#conn, chunk);
      }
    } catch {
      this.#finish("write failed");
    } finally {
      this.#writing = false;
      for (const resolve of this.#drained.splice(0)) resolve();
    }
  }

  async #readLoop(): Promise<void> {
    try {
      while (!this.#closed) {
        this.#parse();
        if (this.#end === this.#buf.length) {
          const bigger = new Uint8Array(this.#buf.length * 2);
          bigger.set(this.#buf);
          this.#buf = bigger;
        }
        const n = await this.#conn.read(this.#buf.subarray(this.#end));
        if (n === null) return this.#finish("closed by server");
        this.#end += n;
      }
    } catch {
      this.#finish("read failed");
    }
  }

  /** Hands over every complete frame in the buffer, then keeps the incomplete rest. */
  #parse(): void {
    const buf = this.#buf;
    const filled = buf.subarray(0, this.#end);
    let at = 0;
    for (let frame = readFrameHead(filled, at); frame; frame = readFrameHead(filled, at)) {
      if (!frame.fin) return this.#finish("fragmented message (not supported)");
      const start = at + frame.headLength;
      if (this.#end < start + frame.length) break;
      const payload = buf.subarray(start, start + frame.length);
      at = start + frame.length;
      if (frame.opcode === Opcode.Text) this.onmessage?.(decoder.decode(payload));
      else if (frame.opcode === Opcode.Ping) {
        this.#pending.push(encodeFrame(Opcode.Pong, payload.slice()));
        if (!this.#writing) this.#flush();
      } else if (frame.opcode === Opcode.Close) return this.#finish("close frame from server");
    }
    buf.copyWithin(0, at, this.#end);
    this.#end -= at;
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const resolve of this.#drained.splice(0)) resolve();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.onclose?.(reason);
  }
}
