/**
 * The part of the `ws` package's API the transport uses, typed here rather
 * than through `@types/ws`, whose Node.js typings would replace Deno's own
 * timer and global types in every file of the program.
 *
 * @module
 */

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";

/** Options of a server that only completes upgrades handed to it. */
export interface WebSocketServerOptions {
  noServer: true;
  /** Largest message assembled, in bytes; more closes the socket with 1009. */
  maxPayload: number;
  perMessageDeflate: false;
  clientTracking: false;
}

/** Completes WebSocket handshakes on sockets accepted elsewhere. */
export class WebSocketServer {
  constructor(options: WebSocketServerOptions);
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (socket: WebSocket) => void,
  ): void;
}

/** How {@linkcode Sender.frame} frames a message. */
export interface FrameOptions {
  fin: boolean;
  /** 1 text, 2 binary. */
  opcode: number;
  mask: false;
  readOnly: boolean;
  rsv1: false;
}

/** Writes frames to a socket (the tests check the transport's own framing against it). */
export class Sender {
  /** The header and payload of one frame, to be written in this order. */
  static frame(data: Buffer, options: FrameOptions): Buffer[];
}

/** One open WebSocket. */
export class WebSocket {
  /** The state that lets messages be sent. */
  static readonly OPEN: number;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued to send, in `ws` and in the socket. */
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Destroys the socket at once. */
  terminate(): void;
  /** Stops reading from the socket. */
  pause(): void;
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
}
