/**
 * What the hub needs of a hub protocol, and the handshake that picks one.
 * Two protocols implement {@linkcode HubProtocol}: JSON (`json_protocol.ts`,
 * text records ending in `\x1e`) and MessagePack (`messagepack_protocol.ts`,
 * length-prefixed binary messages). The handshake before them is JSON text
 * in both. This module knows nothing of sockets or of the game.
 *
 * @module
 */

import type {
  ClientMethod,
  ClientMethodArguments,
  CloseReason as CloseReasonCode,
  Race,
  RaceYou,
  TransferFormat,
} from "./wire.ts";
import { CloseReason, MessageType, RECORD_SEPARATOR } from "./wire.ts";

/** One message of a transport: a text frame, or a binary one. */
export type Frame = string | Uint8Array;

/** The largest record, message or incomplete tail of them a client may send. */
export const MAX_RECORD_BYTES = 32 * 1024;

/** The longest invocation id a client may send. */
export const MAX_INVOCATION_ID_LENGTH = 128;

/** WebSocket close code for a message too big to process. */
export const MESSAGE_TOO_BIG = 1009;

/** A message that breaks the protocol; the connection is closed with its message. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  /** The WebSocket close code the connection is closed with. */
  readonly closeCode: number;
  /** The close reason the client is given. */
  readonly reason: CloseReasonCode;

  constructor(message: string, options: { closeCode?: number; reason?: CloseReasonCode } = {}) {
    super(message);
    this.closeCode = options.closeCode ?? 1000;
    this.reason = options.reason ??
      (this.closeCode === MESSAGE_TOO_BIG
        ? CloseReason.MessageTooLarge
        : CloseReason.ProtocolError);
  }
}

type M = typeof MessageType;

/** An invocation of a hub method by the client, as parsed. */
export interface Invocation {
  readonly type: M["Invocation"];
  readonly invocationId: string | undefined;
  readonly target: string;
  readonly arguments: readonly unknown[];
}

/** A message from the client the hub acts on. */
export type ClientMessage =
  | Invocation
  | {
    readonly type: M["StreamInvocation"];
    readonly invocationId: string | undefined;
    readonly target: string;
  }
  | { readonly type: M["StreamItem"] | M["Completion"] | M["CancelInvocation"] }
  | { readonly type: M["Ack"] | M["Sequence"]; readonly sequenceId: number }
  | { readonly type: M["Ping"] }
  | { readonly type: M["Close"]; readonly error: string | undefined };

/** What a close message says besides its error. */
export interface CloseOptions {
  /** Whether the client may reconnect (default false; JSON writes it only when given). */
  readonly allowReconnect?: boolean;
  /** Why, for programs (default: none written; only the JSON protocol has room for it). */
  readonly reason?: CloseReasonCode;
}

/** `Race` without `you`: the part every watcher of one pass shares. */
export type SharedRace = Omit<Race, "you">;

/** Finishes a `Race` encoded up to `you`: the whole message for a player standing at `you`. */
export type RaceEnding = (you: RaceYou) => Frame;

/** Splits one connection's incoming frames into messages, keeping an incomplete tail. */
export interface MessageReader {
  /** The complete messages `frame` finishes; throws {@linkcode ProtocolError} when it can't. */
  read(frame: Frame): readonly Frame[];
}

/** A hub protocol: how messages are framed, read and written. */
export interface HubProtocol {
  /** Its name in the handshake. */
  readonly name: string;
  /** The highest version it speaks; version 2 adds stateful reconnect's messages. */
  readonly version: number;
  /** What its messages need of a transport. */
  readonly transferFormat: TransferFormat;
  /** A reader for one connection. */
  newReader(): MessageReader;
  /** Parses one message a reader returned; throws {@linkcode ProtocolError}. */
  parse(message: Frame): ClientMessage;
  /** The handshake answer (JSON text in every protocol): `{}`, or the error. */
  encodeHandshake(error?: string): Frame;
  /** An invocation of a client method, without an invocation id. */
  encodeInvocation<T extends ClientMethod>(target: T, argument: ClientMethodArguments[T]): Frame;
  /**
   * `Race` encoded once up to `you`, for many connections: the function
   * returned appends one's `you` and gives exactly the bytes
   * `encodeInvocation("Race", …)` gives for the whole message.
   */
  encodeSharedRace(race: SharedRace): RaceEnding;
  /** A completion with a result. */
  encodeResult(invocationId: string, result: unknown): Frame;
  /** A completion with an error. */
  encodeError(invocationId: string, error: string): Frame;
  /** A close message, with the error the client should show. */
  encodeClose(error?: string, options?: CloseOptions): Frame;
  /** Everything received up to `sequenceId`. */
  encodeAck(sequenceId: number): Frame;
  /** The next invocation or completion sent is number `sequenceId`. */
  encodeSequence(sequenceId: number): Frame;
  /** A ping. */
  readonly ping: Frame;
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as UTF-8 text; throws {@linkcode ProtocolError} with `refusal` when they aren't. */
export function utf8Text(bytes: Uint8Array, refusal: string): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    throw new ProtocolError(refusal);
  }
}

/** Whether `text` takes more than `limit` bytes in UTF-8. */
export function byteLengthOver(text: string, limit: number): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes; only measure when it might matter.
  return text.length * 3 > limit && new TextEncoder().encode(text).length > limit;
}

/** Refuses a frame or tail over {@linkcode MAX_RECORD_BYTES}. */
export function tooLarge(what: "message" | "record"): ProtocolError {
  return new ProtocolError(`Cannot read ${what}: larger than ${MAX_RECORD_BYTES} bytes`, {
    closeCode: MESSAGE_TOO_BIG,
  });
}

/**
 * Reads the handshake: JSON text up to the first `\x1e`, in a text frame or
 * a binary one holding UTF-8 (as .NET clients send it). What follows the
 * separator in the same frame, text or bytes like the frame, belongs to the
 * protocol the handshake picks.
 */
export class HandshakeReader {
  #tail = "";

  /** The handshake record and the rest of the frame, once the separator arrived. */
  read(frame: Frame): { record: string; rest: Frame } | undefined {
    const end = typeof frame === "string"
      ? frame.indexOf(RECORD_SEPARATOR)
      : frame.indexOf(RECORD_SEPARATOR_BYTE);
    const head = end === -1 ? frame : frame.slice(0, end);
    const text = typeof head === "string" ? head : utf8Text(
      head,
      "Binary messages are not supported before the handshake: it is UTF-8 JSON text",
    );
    if (byteLengthOver(this.#tail + text, MAX_RECORD_BYTES)) {
      throw tooLarge(end === -1 ? "record" : "message");
    }
    if (end === -1) {
      this.#tail += text;
      return undefined;
    }
    const record = this.#tail + text;
    this.#tail = "";
    return { record, rest: frame.slice(end + 1) };
  }
}

const RECORD_SEPARATOR_BYTE = 0x1e;

/** The protocol and version a handshake settled on, or the error to answer it with. */
export type HandshakeResult =
  | { readonly protocol: HubProtocol; readonly version: number; readonly error?: undefined }
  | { readonly error: string };

/**
 * Checks a handshake request against the protocols the server speaks: a
 * known name, a version from 1 to the protocol's own, and a transfer format
 * the transport carries (`textOnly`: Server-Sent Events).
 */
export function checkHandshake(
  record: string,
  protocols: readonly HubProtocol[],
  options: { textOnly?: boolean } = {},
): HandshakeResult {
  let request: unknown;
  try {
    request = JSON.parse(record);
  } catch {
    return { error: "Cannot parse handshake: not JSON" };
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return { error: "Cannot parse handshake: not a JSON object" };
  }
  const { protocol: name, version } = request as Record<string, unknown>;
  const protocol = protocols.find((p) => p.name === name);
  if (protocol === undefined) return { error: `The protocol '${String(name)}' is not supported.` };
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    return {
      error: `The server does not support version ${String(version)} of the '${name}' protocol.`,
    };
  }
  if (version > protocol.version) {
    return { error: `The server does not support version ${version} of the '${name}' protocol.` };
  }
  if (options.textOnly && protocol.transferFormat === "Binary") {
    return {
      error: `Cannot use the '${name}' protocol on the current transport. ` +
        "The transport does not support 'Binary' transfer format.",
    };
  }
  return { protocol, version };
}

/** The handshake answer as JSON text: `{}` or `{"error": ...}` and the separator. */
export function handshakeText(error?: string): string {
  return JSON.stringify(error === undefined ? {} : { error }) + RECORD_SEPARATOR;
}

/** Checks a stateful-reconnect sequence id: a whole number from 0 up. */
export function sequenceId(value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError("Cannot parse message: sequenceId must be a whole number");
  }
  return value;
}

/**
 * An `Invocation` or `StreamInvocation` from its parts, checked the same way
 * in both protocols: the target a non-empty string, the arguments an array.
 */
export function invocation(
  type: M["Invocation"] | M["StreamInvocation"],
  invocationId: string | undefined,
  target: unknown,
  args: unknown,
): ClientMessage {
  if (typeof target !== "string" || target === "") {
    throw new ProtocolError("Cannot parse message: missing target");
  }
  if (!Array.isArray(args)) {
    throw new ProtocolError("Cannot parse message: arguments must be an array");
  }
  if (type === MessageType.StreamInvocation) return { type, invocationId, target };
  return { type, invocationId, target, arguments: args };
}
