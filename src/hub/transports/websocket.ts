/**
 * The WebSocket transport: the only code that touches a WebSocket. It
 * completes upgrades the routes accepted and connects each socket to the
 * hub, as a new connection or as the new socket of a resumed one.
 *
 * WebSockets are spoken by the `ws` package on the connection the server
 * accepted: it bounds a message while it arrives (a frame, or fragments that
 * never end, past {@linkcode MAX_MESSAGE_BYTES} close the socket with 1009),
 * which the runtime's own upgrade doesn't. Every message is then charged to
 * the connection's budget before anything parses it. Text frames reach the
 * hub as text, binary frames as bytes. The socket sends text as text frames
 * and bytes (MessagePack) as binary frames, each framed here in one buffer
 * and written to the connection under `ws`; a broadcast is framed once, and
 * the same bytes written to each socket.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import type { Context } from "hono";
// @ts-types="../ws_types.d.ts"
import { WebSocket as WsSocket, WebSocketServer } from "ws";
import type { ServeEnv, UpgradeRequest } from "../../http/serve.ts";
import type { Hub, HubConnection } from "../hub.ts";
import type { Socket } from "../connections.ts";
import type { Frame } from "../protocol.ts";
import type { SharedFrame } from "../shared_frame.ts";
import type { ConnectionBudgets } from "./connection_budgets.ts";
import { turnWriter } from "./turn_writes.ts";

/**
 * The largest WebSocket message `ws` assembles. Records are limited to 32 KiB
 * by the hub, which closes with a reason the client can show; a message of up
 * to twice that still reaches it, and anything larger is cut off by `ws` as it
 * arrives, so a socket never holds more than this.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** How long a closed socket may take to finish its closing handshake. */
const CLOSE_GRACE_MS = 1000;

/** Close code `ws` reports when the connection ended without a closing handshake. */
const ABNORMAL_CLOSURE = 1006;

/** The first byte of a frame: the final fragment bit, and the opcodes of text and binary. */
const FIN = 0x80;
const TEXT = 1;
const BINARY = 2;

/** Whether a request asks to upgrade to WebSocket. */
export function isUpgrade(c: Context): boolean {
  return c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/** Why an upgrade request can't be accepted, before `ws` would refuse it without a word. */
export function upgradeProblem(c: Context): string | undefined {
  const key = c.req.header("sec-websocket-key");
  if (key === undefined || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) {
    return "missing or malformed Sec-WebSocket-Key";
  }
  const version = c.req.header("sec-websocket-version");
  if (version !== "13" && version !== "8") return "Sec-WebSocket-Version must be 13";
  if (upgradeOf(c) === undefined) return "the Connection header must include Upgrade";
  return undefined;
}

/** The upgrade the server handed over with the request (`c.env` of `serve.ts`). */
function upgradeOf(c: Context): UpgradeRequest | undefined {
  return (c.env as Partial<ServeEnv> | undefined)?.upgrade;
}

/** Completes WebSocket upgrades and connects their sockets to the hub. */
export class WebSocketTransport {
  readonly #hub: Hub;
  readonly #budgets: ConnectionBudgets;
  readonly #server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  constructor(hub: Hub, budgets: ConnectionBudgets) {
    this.#hub = hub;
    this.#budgets = budgets;
  }

  /**
   * Takes the request's socket (checked with {@linkcode upgradeProblem}) and
   * completes the upgrade; `connect` then makes the hub connection of the new
   * socket, or returns `undefined` when there is none any more.
   */
  accept(c: Context, connect: (socket: Socket) => HubConnection | undefined): Response {
    const upgrade = upgradeOf(c)!;
    upgrade.take();
    this.#server.handleUpgrade(
      upgrade.request,
      upgrade.socket,
      Buffer.from(upgrade.head),
      (ws) => {
        const socket = webSocket(ws, upgrade.socket);
        const connection = connect(socket);
        if (connection === undefined) socket.close(1000, "Connection no longer exists");
        else this.#listen(ws, socket, connection);
      },
    );
    return c.body(null, 204);
  }

  #listen(ws: WsSocket, socket: WebSocketHandle, connection: HubConnection): void {
    const hub = this.#hub;
    let failed = false;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // A socket a resume replaced is read no more.
      if (connection.socket !== socket || !this.#budgets.charge(connection, data.length)) return;
      hub.message(connection, isBinary ? new Uint8Array(data) : data.toString());
    });
    // ws has already answered a protocol error (1002, or 1009 for a message too large).
    ws.on("error", () => {
      failed = true;
      ws.terminate();
    });
    ws.on("close", (code: number) => {
      socket.dispose();
      // Lost without a closing handshake: a connection that may resume waits for its client.
      if (code === ABNORMAL_CLOSURE && !failed) hub.lost(connection, socket);
      else hub.closed(connection, socket);
    });
  }
}

/** A `ws` socket as the registry sees it, and a way to let go of it once closed. */
interface WebSocketHandle extends Socket {
  /** The socket closed: nothing is left to do but stop the timer of a close in progress. */
  dispose(): void;
}

function webSocket(ws: WsSocket, raw: Duplex): WebSocketHandle {
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  let closing = false;
  // Everything sent to a socket in one turn leaves in few writes (turn_writes.ts).
  const write = turnWriter(raw);
  return {
    send(data: Frame) {
      // As `ws.send` does, nothing is written once the closing handshake began.
      if (ws.readyState !== WsSocket.OPEN) return;
      write(webSocketFrame(data));
    },
    sendShared(frame: SharedFrame) {
      if (ws.readyState !== WsSocket.OPEN) return;
      // One buffer, written at once (or with what this turn already corked):
      // corking it alone would only add a step per socket. `ws` has nothing
      // of its own waiting to go first: without compression it has no queue.
      raw.write(frame.as(webSocketFrame));
    },
    close(code?: number, reason?: string) {
      if (closing) return;
      closing = true;
      // A client closed for breaking a limit is read no more; any other gets
      // the usual closing handshake. Either is cut off if it doesn't finish it soon.
      if (code !== undefined && code !== 1000 && code !== 1001) ws.pause();
      ws.close(code, reason);
      closeTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    dispose() {
      closing = true;
      clearTimeout(closeTimer);
    },
  };
}

/** Encodes a text message once, before its length (and so its frame's header) is known. */
const encoder = new TextEncoder();

/** Where short text is encoded first; a UTF-16 unit is at most 3 bytes of UTF-8. */
const scratch = new Uint8Array(16 * 1024);

/**
 * A message as one unmasked WebSocket frame, header and payload in one
 * buffer: text as a text frame, bytes (MessagePack) as a binary one. The
 * same bytes `ws` writes in two parts, made with one allocation and one
 * encoding of the text: short text (every reply) is encoded into a scratch
 * buffer, which also tells its length, and copied after the header.
 */
export function webSocketFrame(data: Frame): Buffer {
  if (typeof data === "string" && data.length * 3 <= scratch.length) {
    const { written } = encoder.encodeInto(data, scratch);
    const frame = frameWithHeader(TEXT, written);
    frame.set(scratch.subarray(0, written), frame.length - written);
    return frame;
  }
  const text = typeof data === "string";
  const length = text ? Buffer.byteLength(data) : data.byteLength;
  const frame = frameWithHeader(text ? TEXT : BINARY, length);
  if (text) frame.write(data, frame.length - length);
  else frame.set(data, frame.length - length);
  return frame;
}

/** A frame's buffer with its header written, for a payload of `length` bytes to follow. */
function frameWithHeader(opcode: number, length: number): Buffer {
  const head = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = FIN | opcode;
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  return frame;
}
