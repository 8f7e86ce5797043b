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
 * the local servers the benchmark starts. The attacks use its parts directly:
 * {@linkcode openUpgraded} for a bare upgraded connection and
 * {@linkcode frameHeader} for frames that never end.
 *
 * @module
 */

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

/**
 * The head of one masked client frame (mask key 0) announcing `length` bytes
 * of payload; with `fin` false the message goes on in continuation frames.
 * The payload may follow in any number of writes: with a zero key it goes out
 * as is.
 */
export function frameHeader(opcode: number, length: number, fin = true): Uint8Array {
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4); // the 4 mask bytes stay 0
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 65536) {
    out[1] = 0x80 | 126;
    out[2] = length >> 8;
    out[3] = length & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(length));
  }
  return out;
}

/** Encodes one whole masked client frame with `opcode` and `payload`. */
function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const head = frameHeader(opcode, payload.length);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
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
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
    "Sec-WebSocket-Version: 13\r\n\r\n";
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await writeAll(conn, encoder.encode(request));
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
    this.#pending.push(frame(1, encoder.encode(text)));
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
    this.#pending.push(frame(8, payload));
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
    let at = 0;
    while (this.#end - at >= 2) {
      if ((buf[at] & 0x80) === 0) return this.#finish("fragmented message (not supported)");
      const opcode = buf[at] & 0x0f;
      let len = buf[at + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (this.#end - at < 4) break;
        len = (buf[at + 2] << 8) | buf[at + 3];
        head = 4;
      } else if (len === 127) {
        if (this.#end - at < 10) break;
        len = Number(new DataView(buf.buffer, buf.byteOffset + at + 2, 8).getBigUint64(0));
        head = 10;
      }
      if (this.#end - at < head + len) break;
      const payload = buf.subarray(at + head, at + head + len);
      at += head + len;
      if (opcode === 1) this.onmessage?.(decoder.decode(payload));
      else if (opcode === 9) {
        this.#pending.push(frame(10, payload.slice()));
        if (!this.#writing) this.#flush();
      } else if (opcode === 8) return this.#finish("close frame from server");
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

/** Writes all of `data`, however many writes it takes. */
export async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) at += await conn.write(data.subarray(at));
}
