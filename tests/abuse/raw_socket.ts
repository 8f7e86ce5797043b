/**
 * A WebSocket spoken by hand over TCP, for clients no well-behaved library
 * can play: one that sends any header (such as `Origin`), any frame, and
 * never reads what the server sends back.
 *
 * Its parts are exported for every program of this repository that writes
 * frames by hand: {@linkcode upgradeRequest} for the upgrade,
 * {@linkcode frameHeader} and {@linkcode encodeFrame} for client frames
 * (RFC 6455, section 5.2), {@linkcode readFrameHead} for the server's.
 *
 * @module
 */

const encoder = new TextEncoder();

/** WebSocket opcodes (RFC 6455, section 5.2). */
export const Opcode = {
  Continuation: 0,
  Text: 1,
  Binary: 2,
  Close: 8,
  Ping: 9,
  Pong: 10,
} as const;

/** How a client frame is written. */
export interface FrameOptions {
  /** Whether the frame ends its message (default true); false starts or continues a fragmented one. */
  readonly fin?: boolean;
  /**
   * The 4-byte masking key (default all zeros, which leaves the payload as
   * it is: the payload may then follow the header in any number of writes).
   */
  readonly mask?: Uint8Array;
}

/** A fresh random masking key, as browsers use. */
export function randomMask(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(4));
}

/**
 * The head of one masked client frame announcing `length` bytes of payload,
 * masking key included; the payload, masked with that key, follows it.
 */
export function frameHeader(
  opcode: number,
  length: number,
  options: FrameOptions = {},
): Uint8Array {
  const { fin = true, mask = new Uint8Array(4) } = options;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const out = new Uint8Array(2 + extra + 4);
  out[0] = (fin ? 0x80 : 0) | opcode;
  const view = new DataView(out.buffer);
  if (extra === 0) out[1] = 0x80 | length;
  else if (extra === 2) {
    out[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    out[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(length));
  }
  out.set(mask.subarray(0, 4), 2 + extra);
  return out;
}

/** One whole masked client frame with `opcode` and `payload`. */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  options: FrameOptions = {},
): Uint8Array {
  const head = frameHeader(opcode, payload.length, options);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  const mask = head.subarray(head.length - 4);
  if (mask.some((byte) => byte !== 0)) {
    for (let i = 0; i < payload.length; i++) out[head.length + i] ^= mask[i & 3];
  }
  return out;
}

/** The head of a frame as read: what it is and where its payload lies. */
export interface FrameHead {
  readonly fin: boolean;
  readonly opcode: number;
  /** Payload bytes. */
  readonly length: number;
  /** Bytes before the payload (masking key included, if any). */
  readonly headLength: number;
}

/**
 * Reads the head of the frame starting at `at` in `bytes`; `undefined` when
 * the bytes end before the head does.
 */
export function readFrameHead(bytes: Uint8Array, at = 0): FrameHead | undefined {
  if (bytes.length - at < 2) return undefined;
  const fin = (bytes[at] & 0x80) !== 0;
  const opcode = bytes[at] & 0x0f;
  const masked = (bytes[at + 1] & 0x80) !== 0;
  let length = bytes[at + 1] & 0x7f;
  let headLength = 2;
  if (length === 126) {
    if (bytes.length - at < 4) return undefined;
    length = (bytes[at + 2] << 8) | bytes[at + 3];
    headLength = 4;
  } else if (length === 127) {
    if (bytes.length - at < 10) return undefined;
    length = Number(new DataView(bytes.buffer, bytes.byteOffset + at + 2, 8).getBigUint64(0));
    headLength = 10;
  }
  if (masked) headLength += 4;
  return { fin, opcode, length, headLength };
}

/**
 * The upgrade request for `url` (`ws:` or `http:`, path and query kept) with
 * a fresh key and any extra headers, ready to write.
 */
export function upgradeRequest(url: URL, headers: Record<string, string> = {}): string {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return lines.join("\r\n") + "\r\n\r\n";
}

/** Writes all of `bytes`, however many writes it takes. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** A hand-made WebSocket connection. */
export interface RawSocket {
  /** The upgrade response's status code. */
  readonly status: number;
  /** The upgrade response's head (status line and headers). */
  readonly head: string;
  /** Sends a masked text frame. */
  sendText(text: string): Promise<void>;
  /** Sends a masked frame with any opcode; `fin` false starts or continues a fragmented message. */
  sendFrame(opcode: number, payload: Uint8Array, fin?: boolean): Promise<void>;
  /**
   * Reads until the server ends the connection; resolves with the code of the
   * close frame it sent, or `undefined` when it sent none.
   */
  closeCode(): Promise<number | undefined>;
  /** Closes the TCP connection. */
  close(): void;
}

/** Connects to `/game` with `token` and extra headers, and reads only the upgrade response. */
export async function openRawSocket(
  baseUrl: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const url = new URL(`game?access_token=${encodeURIComponent(token)}`, baseUrl);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  await writeAll(conn, encoder.encode(upgradeRequest(url, headers)));
  // Read only the response head; anything after it stays unread in the kernel.
  let head = "";
  const byte = new Uint8Array(1);
  while (!head.endsWith("\r\n\r\n")) {
    const n = await conn.read(byte);
    if (n === null) break;
    head += String.fromCharCode(byte[0]);
  }
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
  const sendFrame = async (opcode: number, payload: Uint8Array, fin = true) => {
    await writeAll(conn, encodeFrame(opcode, payload, { fin, mask: randomMask() }));
  };
  const closeCode = async () => {
    let bytes = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(chunk);
      } catch {
        n = null;
      }
      if (n === null) break;
      const joined = new Uint8Array(bytes.length + n);
      joined.set(bytes);
      joined.set(chunk.subarray(0, n), bytes.length);
      bytes = joined;
    }
    for (let at = 0;;) {
      const frame = readFrameHead(bytes, at);
      if (frame === undefined) return undefined;
      const start = at + frame.headLength;
      if (frame.opcode === Opcode.Close) {
        return frame.length >= 2 ? (bytes[start] << 8) | bytes[start + 1] : undefined;
      }
      at = start + frame.length;
    }
  };
  return {
    status,
    head,
    sendText: (text) => sendFrame(Opcode.Text, encoder.encode(text)),
    sendFrame,
    closeCode,
    close() {
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}
