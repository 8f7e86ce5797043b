/**
 * The SignalR JSON hub protocol, version 1: records are JSON texts ending in
 * the record separator `\x1e`. This module splits, parses, checks and encodes
 * records; it knows nothing of sockets or of the game.
 *
 * @module
 */

/** Ends every record. */
export const RECORD_SEPARATOR = "\x1e";

/** The largest record, or incomplete tail of records, a client may send. */
export const MAX_RECORD_BYTES = 32 * 1024;

/** Message type numbers of the protocol. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;

/** An invocation of a hub method by the client. */
export interface Invocation {
  readonly type: 1;
  readonly invocationId: string | undefined;
  readonly target: string;
  readonly arguments: readonly unknown[];
}

/** A message from the client the hub acts on. */
export type ClientMessage =
  | Invocation
  | { readonly type: 4; readonly invocationId: string | undefined; readonly target: string }
  | { readonly type: 2 | 3 | 5 | 8 | 9 }
  | { readonly type: 6 }
  | { readonly type: 7; readonly error: string | undefined };

/** A record that breaks the protocol; the connection is closed with its message. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  /** The WebSocket close code the connection is closed with. */
  readonly closeCode: number;

  constructor(message: string, options: { closeCode?: number } = {}) {
    super(message);
    this.closeCode = options.closeCode ?? 1000;
  }
}

/** WebSocket close code for a message too big to process. */
export const MESSAGE_TOO_BIG = 1009;

/**
 * Splits incoming text into complete records, keeping an incomplete tail for
 * the next message. Throws {@linkcode ProtocolError} when one message, or the
 * tail, outgrows {@linkcode MAX_RECORD_BYTES}.
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
  if (request.protocol !== "json") {
    return `The protocol '${String(request.protocol)}' is not supported.`;
  }
  if (request.version !== 1) {
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
  return (error === undefined ? "{}" : JSON.stringify({ error })) + RECORD_SEPARATOR;
}

/** An invocation of a client method, without an invocation id. */
export function encodeInvocation(target: string, argument: unknown): string {
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
  return JSON.stringify({ type: 3, invocationId, error }) + RECORD_SEPARATOR;
}

/** A ping. */
export const PING: string = `{"type":6}${RECORD_SEPARATOR}`;

/** A close message, with the error the client should show. */
export function encodeClose(error?: string, allowReconnect = false): string {
  const message: Record<string, unknown> = { type: 7 };
  if (error !== undefined) message.error = error;
  if (allowReconnect) message.allowReconnect = true;
  return JSON.stringify(message) + RECORD_SEPARATOR;
}
