/**
 * The SignalR JSON hub protocol, version 1, as the server reads and writes
 * it: records are JSON texts ending in the record separator. This module
 * splits, parses, checks and encodes records; it knows nothing of sockets or
 * of the game. The separator, message numbers and payload shapes come from
 * `wire.ts`, which the page and the tests share.
 *
 * @module
 */

import {
  type ClientMethod,
  type ClientMethodArguments,
  type CloseMessage,
  CloseReason,
  type CompletionMessage,
  type HandshakeResponse,
  JSON_HANDSHAKE,
  MessageType,
  RECORD_SEPARATOR,
} from "./wire.ts";

/** The largest record, or incomplete tail of records, a client may send. */
export const MAX_RECORD_BYTES = 32 * 1024;

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
  | {
    readonly type:
      | M["StreamItem"]
      | M["Completion"]
      | M["CancelInvocation"]
      | M["Ack"]
      | M["Sequence"];
  }
  | { readonly type: M["Ping"] }
  | { readonly type: M["Close"]; readonly error: string | undefined };

/** WebSocket close code for a message too big to process. */
export const MESSAGE_TOO_BIG = 1009;

/** A record that breaks the protocol; the connection is closed with its message. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  /** The WebSocket close code the connection is closed with. */
  readonly closeCode: number;
  /** The close reason the client is given. */
  readonly reason: CloseReason;

  constructor(message: string, options: { closeCode?: number; reason?: CloseReason } = {}) {
    super(message);
    this.closeCode = options.closeCode ?? 1000;
    this.reason = options.reason ??
      (this.closeCode === MESSAGE_TOO_BIG
        ? CloseReason.MessageTooLarge
        : CloseReason.ProtocolError);
  }
}

/**
 * Splits incoming text into complete records, keeping an incomplete tail for
 * the next message. Throws {@linkcode ProtocolError} when one message, or the
 * tail, outgrows {@linkcode MAX_RECORD_BYTES}. Unlike the lenient
 * `splitRecords` of `wire.ts`, it bounds what it keeps and hands on empty
 * records, which then fail to parse: a client must send well-formed records.
 */
export class RecordReader {
  #tail = "";

  /** The complete records in `text` (after any tail kept from before). */
  read(text: string): string[] {
    // One message is bounded too: many small records in one huge frame would
    // otherwise let a client queue unbounded work in a single step.
    if (byteLengthOver(text, MAX_RECORD_BYTES)) {
      this.#tail = "";
      throw new ProtocolError(`Cannot read message: larger than ${MAX_RECORD_BYTES} bytes`, {
        closeCode: MESSAGE_TOO_BIG,
      });
    }
    const data = this.#tail === "" ? text : this.#tail + text;
    const last = data.lastIndexOf(RECORD_SEPARATOR);
    if (last === -1) {
      this.#keep(data);
      return [];
    }
    this.#keep(data.slice(last + 1));
    // Fast path: one record per message, the usual case for clicks.
    if (data.indexOf(RECORD_SEPARATOR) === last) return [data.slice(0, last)];
    return data.slice(0, last).split(RECORD_SEPARATOR);
  }

  #keep(tail: string): void {
    if (byteLengthOver(tail, MAX_RECORD_BYTES)) {
      this.#tail = "";
      throw new ProtocolError(`Cannot read record: larger than ${MAX_RECORD_BYTES} bytes`, {
        closeCode: MESSAGE_TOO_BIG,
      });
    }
    this.#tail = tail;
  }
}

/** Whether `text` takes more than `limit` bytes in UTF-8. */
function byteLengthOver(text: string, limit: number): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes; only measure when it might matter.
  return text.length * 3 > limit && new TextEncoder().encode(text).length > limit;
}

function parseJson(record: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    throw new ProtocolError("Cannot parse record: not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError("Cannot parse record: not a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * Checks the handshake request. Returns `undefined` when it is
 * `{"protocol":"json","version":1}`, otherwise the error to answer with.
 */
export function checkHandshake(record: string): string | undefined {
  let request: Record<string, unknown>;
  try {
    request = parseJson(record);
  } catch (error) {
    return (error as Error).message;
  }
  if (request.protocol !== JSON_HANDSHAKE.protocol) {
    return `The protocol '${String(request.protocol)}' is not supported.`;
  }
  if (request.version !== JSON_HANDSHAKE.version) {
    return `The server does not support version ${String(request.version)} of the 'json' protocol.`;
  }
  return undefined;
}

function optionalId(message: Record<string, unknown>): string | undefined {
  const id = message.invocationId;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== "string" || id.length === 0 || id.length > 128) {
    throw new ProtocolError("Cannot parse record: invocationId must be a non-empty string");
  }
  return id;
}

/** Parses one record from the client; throws {@linkcode ProtocolError} when it breaks the protocol. */
export function parseMessage(record: string): ClientMessage {
  const message = parseJson(record);
  const type = message.type;
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const invocationId = optionalId(message);
      if (typeof message.target !== "string" || message.target === "") {
        throw new ProtocolError("Cannot parse record: missing target");
      }
      const args = message.arguments ?? [];
      if (!Array.isArray(args)) {
        throw new ProtocolError("Cannot parse record: arguments must be an array");
      }
      if (type === MessageType.StreamInvocation) {
        return { type, invocationId, target: message.target };
      }
      return { type, invocationId, target: message.target, arguments: args };
    }
    case MessageType.Ping:
      return { type };
    case MessageType.Close:
      return { type, error: typeof message.error === "string" ? message.error : undefined };
    case MessageType.StreamItem:
    case MessageType.Completion:
    case MessageType.CancelInvocation:
    case MessageType.Ack:
    case MessageType.Sequence:
      return { type };
    case undefined:
      throw new ProtocolError("Cannot parse record: missing type");
    default:
      throw new ProtocolError(`Cannot parse record: unknown type ${JSON.stringify(type)}`);
  }
}

/** The handshake answer: `{}` or `{"error": ...}`. */
export function encodeHandshake(error?: string): string {
  const answer: HandshakeResponse = error === undefined ? {} : { error };
  return JSON.stringify(answer) + RECORD_SEPARATOR;
}

/** An invocation of a client method, without an invocation id. */
export function encodeInvocation<T extends ClientMethod>(
  target: T,
  argument: ClientMethodArguments[T],
): string {
  // Written by hand: clicks make this the hottest path, and the shape is fixed.
  return `{"type":1,"target":${JSON.stringify(target)},"arguments":[${
    JSON.stringify(argument)
  }]}${RECORD_SEPARATOR}`;
}

/** A completion with a result. */
export function encodeResult(invocationId: string, result: unknown): string {
  return `{"type":3,"invocationId":${JSON.stringify(invocationId)},"result":${
    JSON.stringify(result)
  }}${RECORD_SEPARATOR}`;
}

/** A completion with an error. */
export function encodeError(invocationId: string, error: string): string {
  const completion: CompletionMessage = { type: MessageType.Completion, invocationId, error };
  return JSON.stringify(completion) + RECORD_SEPARATOR;
}

/** A ping. */
export const PING: string = `{"type":6}${RECORD_SEPARATOR}`;

/** What a close message says besides its error. */
export interface CloseOptions {
  /** Whether the client may reconnect (default false; only `true` is written). */
  readonly allowReconnect?: boolean;
  /** Why, for programs (default: none written). */
  readonly reason?: CloseReason;
}

/** A close message, with the error the client should show and the reason code. */
export function encodeClose(error?: string, options: CloseOptions = {}): string {
  const message: { -readonly [K in keyof CloseMessage]: CloseMessage[K] } = {
    type: MessageType.Close,
  };
  if (error !== undefined) message.error = error;
  if (options.allowReconnect) message.allowReconnect = true;
  if (options.reason !== undefined) message.reason = options.reason;
  return JSON.stringify(message) + RECORD_SEPARATOR;
}
