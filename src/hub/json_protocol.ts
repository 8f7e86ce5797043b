/**
 * The SignalR JSON hub protocol, versions 1 and 2 (2 adds the `Ack` and
 * `Sequence` messages of stateful reconnect): records are JSON texts ending
 * in the record separator, carried in text frames. This module splits,
 * parses, checks and encodes records; it knows nothing of sockets or of the
 * game. The separator, message numbers and payload shapes come from
 * `wire.ts`, which the page and the tests share.
 *
 * @module
 */

import {
  byteLengthOver,
  type ClientMessage,
  type CloseOptions,
  type Frame,
  handshakeText,
  type HubProtocol,
  invocation,
  MAX_INVOCATION_ID_LENGTH,
  MAX_RECORD_BYTES,
  ProtocolError,
  type RaceEnding,
  sequenceId,
  type SharedRace,
  tooLarge,
} from "./protocol.ts";
import { quickInvocation } from "./json_invocation.ts";
import { plainJsonString, scoreUpdateJson } from "./json_score_update.ts";
import {
  type ClientMethod,
  type ClientMethodArguments,
  type CloseMessage,
  type CompletionMessage,
  MessageType,
  RECORD_SEPARATOR,
} from "./wire.ts";

/**
 * Splits incoming text into complete records, keeping an incomplete tail for
 * the next message. Throws {@linkcode ProtocolError} when one message, or the
 * tail, outgrows {@linkcode MAX_RECORD_BYTES}, and for a binary frame. Unlike the
 * lenient `splitRecords` of `wire.ts`, it bounds what it keeps and hands on
 * empty records, which then fail to parse: a client must send well-formed records.
 */
export class RecordReader {
  #tail = "";

  /** The complete records in `frame` (after any tail kept from before). */
  read(frame: Frame): string[] {
    if (typeof frame !== "string") {
      throw new ProtocolError("Binary messages are not supported by the JSON protocol");
    }
    // One message is bounded too: many small records in one huge frame would
    // otherwise let a client queue unbounded work in a single step.
    if (byteLengthOver(frame, MAX_RECORD_BYTES)) {
      this.#tail = "";
      throw tooLarge("message");
    }
    const data = this.#tail === "" ? frame : this.#tail + frame;
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
      throw tooLarge("record");
    }
    this.#tail = tail;
  }
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

function optionalId(message: Record<string, unknown>): string | undefined {
  const id = message.invocationId;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_INVOCATION_ID_LENGTH) {
    throw new ProtocolError("Cannot parse record: invocationId must be a non-empty string");
  }
  return id;
}

/** Parses one record from the client; throws {@linkcode ProtocolError} when it breaks the protocol. */
export function parseMessage(record: string): ClientMessage {
  const quick = quickInvocation(record);
  if (quick !== undefined) return quick;
  const message = parseJson(record);
  const type = message.type;
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return invocation(type, optionalId(message), message.target, message.arguments ?? []);
    case MessageType.Ping:
      return { type };
    case MessageType.Close:
      return { type, error: typeof message.error === "string" ? message.error : undefined };
    case MessageType.StreamItem:
    case MessageType.Completion:
    case MessageType.CancelInvocation:
      return { type };
    case MessageType.Ack:
    case MessageType.Sequence:
      return { type, sequenceId: sequenceId(message.sequenceId) };
    case undefined:
      throw new ProtocolError("Cannot parse record: missing type");
    default:
      throw new ProtocolError(`Cannot parse record: unknown type ${JSON.stringify(type)}`);
  }
}

/** The handshake answer: `{}` or `{"error": ...}`. */
export function encodeHandshake(error?: string): string {
  return handshakeText(error);
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

/**
 * `Race` up to `you`, written once for every watcher of a pass; each
 * connection's text is that head, its own `you`, and the closing brackets.
 */
export function encodeSharedRace(race: SharedRace): RaceEnding {
  // The fields in the order `encodeInvocation` writes a `Race` object's.
  const head = `{"type":1,"target":"Race","arguments":[{"roundId":${
    JSON.stringify(race.roundId)
  },"top":${JSON.stringify(race.top)},"players":${JSON.stringify(race.players)},"you":`;
  return (you) =>
    `${head}{"score":${JSON.stringify(you.score)},"rank":${
      JSON.stringify(you.rank)
    }}}]}${RECORD_SEPARATOR}`;
}

/** A completion with a result. */
export function encodeResult(invocationId: string, result: unknown): string {
  // The answer to a click is written by hand when it can be, in the same text.
  const id = plainJsonString(invocationId) ?? JSON.stringify(invocationId);
  return `{"type":3,"invocationId":${id},"result":${
    scoreUpdateJson(result) ?? JSON.stringify(result)
  }}${RECORD_SEPARATOR}`;
}

/** A completion with an error. */
export function encodeError(invocationId: string, error: string): string {
  const completion: CompletionMessage = { type: MessageType.Completion, invocationId, error };
  return JSON.stringify(completion) + RECORD_SEPARATOR;
}

/** A ping. */
export const PING: string = `{"type":6}${RECORD_SEPARATOR}`;

/** A close message, with the error the client should show and the reason code. */
export function encodeClose(error?: string, options: CloseOptions = {}): string {
  const message: { -readonly [K in keyof CloseMessage]: CloseMessage[K] } = {
    type: MessageType.Close,
  };
  if (error !== undefined) message.error = error;
  // Said only when the caller said it: `false` outright for a close no client may reconnect from.
  if (options.allowReconnect !== undefined) message.allowReconnect = options.allowReconnect;
  if (options.reason !== undefined) message.reason = options.reason;
  return JSON.stringify(message) + RECORD_SEPARATOR;
}

/** The JSON hub protocol, as the hub uses it. */
export const JSON_PROTOCOL: HubProtocol = Object.freeze({
  name: "json",
  version: 2,
  transferFormat: "Text",
  newReader: () => new RecordReader(),
  parse: (message: Frame) => parseMessage(message as string),
  encodeHandshake,
  encodeInvocation,
  encodeSharedRace,
  encodeResult,
  encodeError,
  encodeClose,
  encodeAck: (id: number) => `{"type":8,"sequenceId":${id}}${RECORD_SEPARATOR}`,
  encodeSequence: (id: number) => `{"type":9,"sequenceId":${id}}${RECORD_SEPARATOR}`,
  ping: PING,
});
