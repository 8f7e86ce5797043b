/**
 * The SignalR MessagePack hub protocol, versions 1 and 2, carried in binary
 * frames: each message is a MessagePack array (its first item the message
 * type) prefixed by its length as a varint of 1 to 5 bytes, and one frame may
 * hold several. Values are encoded and decoded by `@msgpack/msgpack`; this
 * module frames them and checks each message's layout. The same limits as
 * the JSON protocol hold: a message, frame or unfinished tail of at most
 * 32 KiB.
 *
 * @module
 */

import { Decoder, Encoder } from "@msgpack/msgpack";
import {
  type ClientMessage,
  type CloseOptions,
  type Frame,
  handshakeText,
  type HubProtocol,
  invocation,
  MAX_INVOCATION_ID_LENGTH,
  MAX_RECORD_BYTES,
  type MessageReader,
  ProtocolError,
  type RaceEnding,
  sequenceId,
  type SharedRace,
  tooLarge,
} from "./protocol.ts";
import { type ClientMethod, type ClientMethodArguments, MessageType } from "./wire.ts";

/** Completion result kinds. */
const ERROR_RESULT = 1;
const NON_VOID_RESULT = 3;

const EMPTY = new Uint8Array(0);

/**
 * Splits binary frames into message bodies by their varint length prefix,
 * keeping an incomplete message for the next frame. A text frame, a frame
 * or a message over {@linkcode MAX_RECORD_BYTES}, or a malformed prefix
 * throws {@linkcode ProtocolError}.
 */
export class LengthPrefixedReader implements MessageReader {
  #tail: Uint8Array = EMPTY;

  /** The complete message bodies `frame` finishes. */
  read(frame: Frame): Uint8Array[] {
    if (typeof frame === "string") {
      throw new ProtocolError("Text messages are not supported by the MessagePack protocol");
    }
    if (frame.byteLength > MAX_RECORD_BYTES) {
      this.#tail = EMPTY;
      throw tooLarge("message");
    }
    const data = this.#tail.length === 0 ? frame : concat(this.#tail, frame);
    const bodies: Uint8Array[] = [];
    let offset = 0;
    for (;;) {
      const prefix = readVarint(data, offset);
      if (prefix === undefined) break;
      if (prefix.value > MAX_RECORD_BYTES) {
        this.#tail = EMPTY;
        throw tooLarge("record");
      }
      const end = offset + prefix.size + prefix.value;
      if (end > data.length) break;
      bodies.push(data.subarray(offset + prefix.size, end));
      offset = end;
    }
    // Copied, so a kept tail never pins the whole frame.
    this.#tail = offset === data.length ? EMPTY : data.slice(offset);
    return bodies;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The varint at `offset`: its value and size, or `undefined` while incomplete. */
function readVarint(data: Uint8Array, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (offset + i >= data.length) return undefined;
    const byte = data[offset + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
  }
  throw new ProtocolError("Cannot read message: length prefix longer than 5 bytes");
}

/** `body` with its length as a varint in front. */
export function withLengthPrefix(body: Uint8Array): Uint8Array {
  return joinWithLengthPrefix(body, EMPTY);
}

/** `head` then `tail` as one message body, its length as a varint in front, in one buffer. */
function joinWithLengthPrefix(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const length = head.length + tail.length;
  let size = 1;
  while (length >= 2 ** (7 * size)) size++;
  const framed = new Uint8Array(size + length);
  let rest = length;
  for (let i = 0; i < size; i++) {
    framed[i] = (rest & 0x7f) | (i < size - 1 ? 0x80 : 0);
    rest = Math.floor(rest / 128);
  }
  framed.set(head, size);
  framed.set(tail, size + head.length);
  return framed;
}

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder({
  maxStrLength: MAX_RECORD_BYTES,
  maxBinLength: MAX_RECORD_BYTES,
  maxArrayLength: MAX_RECORD_BYTES,
  maxMapLength: MAX_RECORD_BYTES,
  maxExtLength: MAX_RECORD_BYTES,
});

/** One message: `items` as a MessagePack array, length-prefixed. */
function frame(items: readonly unknown[]): Uint8Array {
  // The shared buffer is copied once, into the framed message.
  return withLengthPrefix(encoder.encodeSharedRef(items));
}

/** The one byte MessagePack writes for nil. */
const NIL = 0xc0;

/**
 * `Race` up to `you`, encoded once for every watcher of a pass. MessagePack
 * writes a value the same wherever it stands, and `you` is the last value
 * of the message: so the message with `you` nil, less that one byte, is the
 * head every connection's message starts with, and its own `you` follows.
 */
export function encodeSharedRace(race: SharedRace): RaceEnding {
  const { roundId, top, players } = race;
  const whole = encoder.encode([MessageType.Invocation, {}, null, "Race", [{
    roundId,
    top,
    players,
    you: null,
  }]]);
  if (whole[whole.length - 1] !== NIL) {
    throw new TypeError("Cannot encode the race: its last value is not nil");
  }
  const head = whole.subarray(0, whole.length - 1);
  return (you) => joinWithLengthPrefix(head, encoder.encodeSharedRef(you));
}

function invocationId(value: unknown, required: boolean): string | undefined {
  if (value === null && !required) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_INVOCATION_ID_LENGTH) {
    throw new ProtocolError("Cannot parse message: invocationId must be a non-empty string");
  }
  return value;
}

function headers(value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError("Cannot parse message: headers must be a map");
  }
}

function atLeast(items: readonly unknown[], count: number, name: string): void {
  if (items.length < count) {
    throw new ProtocolError(`Cannot parse message: a ${name} message has ${count} items`);
  }
}

/** Parses one message body; throws {@linkcode ProtocolError} when it breaks the protocol. */
export function parseMessagePack(body: Uint8Array): ClientMessage {
  let items: unknown;
  try {
    items = decoder.decode(body);
  } catch {
    throw new ProtocolError("Cannot parse message: not MessagePack");
  }
  if (!Array.isArray(items) || items.length === 0) {
    throw new ProtocolError("Cannot parse message: not a MessagePack array");
  }
  const type = items[0];
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      atLeast(items, 5, type === MessageType.Invocation ? "Invocation" : "StreamInvocation");
      headers(items[1]);
      const id = invocationId(items[2], type === MessageType.StreamInvocation);
      return invocation(type, id, items[3], items[4]);
    }
    case MessageType.StreamItem:
    case MessageType.Completion:
    case MessageType.CancelInvocation:
      atLeast(items, 3, "hub");
      headers(items[1]);
      invocationId(items[2], true);
      return { type };
    case MessageType.Ping:
      return { type };
    case MessageType.Close:
      return { type, error: typeof items[1] === "string" ? items[1] : undefined };
    case MessageType.Ack:
    case MessageType.Sequence:
      atLeast(items, 2, type === MessageType.Ack ? "Ack" : "Sequence");
      return { type, sequenceId: sequenceId(items[1]) };
    default:
      throw new ProtocolError(`Cannot parse message: unknown type ${JSON.stringify(type)}`);
  }
}

const HANDSHAKE_OK = new TextEncoder().encode(handshakeText());

/** The MessagePack hub protocol, as the hub uses it. */
export const MESSAGEPACK_PROTOCOL: HubProtocol = Object.freeze({
  name: "messagepack",
  version: 2,
  transferFormat: "Binary",
  newReader: () => new LengthPrefixedReader(),
  parse: (message: Frame) => parseMessagePack(message as Uint8Array),
  // The handshake answer is JSON text, sent as bytes like every message after it.
  encodeHandshake: (error?: string) =>
    error === undefined ? HANDSHAKE_OK : new TextEncoder().encode(handshakeText(error)),
  encodeInvocation<T extends ClientMethod>(target: T, argument: ClientMethodArguments[T]) {
    return frame([MessageType.Invocation, {}, null, target, [argument]]);
  },
  encodeSharedRace,
  encodeResult: (id: string, result: unknown) =>
    frame([MessageType.Completion, {}, id, NON_VOID_RESULT, result]),
  encodeError: (id: string, error: string) =>
    frame([MessageType.Completion, {}, id, ERROR_RESULT, error]),
  // The layout has no room for the reason code: JSON clients alone get it.
  encodeClose: (error?: string, options: CloseOptions = {}) =>
    frame([MessageType.Close, error ?? null, options.allowReconnect === true]),
  encodeAck: (id: number) => frame([MessageType.Ack, id]),
  encodeSequence: (id: number) => frame([MessageType.Sequence, id]),
  ping: withLengthPrefix(new Uint8Array([0x91, MessageType.Ping])),
});
