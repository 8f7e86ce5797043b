/**
 * A WebSocket spoken by hand over TCP, for clients no well-behaved library
 * can play: one that sends any header (such as `Origin`), any frame, and
 * never reads what the server sends back.
 *
 * @module
 */

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

const encoder = new TextEncoder();

/** Connects to `/game` with `token` and extra headers, and reads only the upgrade response. */
export async function openRawSocket(
  baseUrl: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const url = new URL(baseUrl);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const lines = [
    `GET /game?access_token=${encodeURIComponent(token)} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  await writeAll(conn, encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
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
    await writeAll(conn, frame(opcode, payload, fin));
  };
  const closeCode = async () => {
    // Server frames are unmasked: scan them for the close frame (opcode 8).
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
    for (let at = 0; at + 2 <= bytes.length;) {
      const opcode = bytes[at] & 0x0f;
      let length = bytes[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        length = (bytes[at + 2] << 8) | bytes[at + 3];
        start += 2;
      } else if (length === 127) {
        length = Number(new DataView(bytes.buffer).getBigUint64(at + 2));
        start += 8;
      }
      if (opcode === 8) return length >= 2 ? (bytes[start] << 8) | bytes[start + 1] : undefined;
      at = start + length;
    }
    return undefined;
  };
  return {
    status,
    head,
    sendText: (text) => sendFrame(1, encoder.encode(text)),
    sendFrame,
    closeCode,
    close() {
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}

function frame(opcode: number, payload: Uint8Array, fin: boolean): Uint8Array {
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const out = new Uint8Array(2 + extra + 4 + length);
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
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, 2 + extra);
  const start = 2 + extra + 4;
  for (let i = 0; i < length; i++) out[start + i] = payload[i] ^ mask[i & 3];
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}
