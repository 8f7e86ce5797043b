/// <reference lib="dom" />
/**
 * The SignalR JSON hub protocol (version 1) as plain values: framing records
 * on the `\x1e` separator, encoding the messages a client sends and checking
 * the ones it receives. No sockets here; `hub_client.ts` does the I/O.
 *
 * @module
 */

/** Ends every record of the JSON hub protocol. */
export const RECORD_SEPARATOR = "\x1e";

/** The handshake a client opens with. */
export const HANDSHAKE_REQUEST = { protocol: "json", version: 1 } as const;

/** Hub message types this client uses. */
export const MessageType = {
  Invocation: 1,
  Completion: 3,
  Ping: 6,
  Close: 7,
} as const;

/** A server-to-client invocation of a client method (`GameInfo`, `EndRound` …). */
export interface InvocationMessage {
  readonly type: 1;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly invocationId?: string;
}

/** The answer to an invocation the client sent with an `invocationId`. */
export interface CompletionMessage {
  readonly type: 3;
  readonly invocationId: string;
  readonly result?: unknown;
  readonly error?: string;
}

/** Keeps the connection alive. */
export interface PingMessage {
  readonly type: 6;
}

/** The server ends the connection, possibly saying why. */
export interface CloseMessage {
  readonly type: 7;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

/** Any other message type: ignored, as the protocol asks. */
export interface OtherMessage {
  readonly type: number;
}

/** A message received from the server. */
export type HubMessage =
  | InvocationMessage
  | CompletionMessage
  | PingMessage
  | CloseMessage
  | OtherMessage;

/** Turns a value into one record: its JSON followed by the separator. */
export function encodeRecord(value: unknown): string {
  return JSON.stringify(value) + RECORD_SEPARATOR;
}

/**
 * Appends `chunk` to the unfinished text `rest` and returns the complete
 * records it now holds (without separators) and what is left over.
 */
export function splitRecords(
  rest: string,
  chunk: string,
): { records: string[]; rest: string } {
  const parts = (rest + chunk).split(RECORD_SEPARATOR);
  const remainder = parts.pop() ?? "";
  return { records: parts.filter((part) => part.length > 0), rest: remainder };
}

/** Reads the handshake answer: `{}` accepts, `{"error": "..."}` refuses. */
export function parseHandshakeResponse(record: string): { error?: string } {
  const value = parseObject(record, "handshake response");
  if (value.error !== undefined) {
    return { error: String(value.error) };
  }
  return {};
}

/** Parses and checks one received record; throws `SyntaxError` when it is not a hub message. */
export function parseMessage(record: string): HubMessage {
  const value = parseObject(record, "record");
  const type = value.type;
  if (typeof type !== "number") {
    throw new SyntaxError("Cannot parse record: missing type");
  }
  switch (type) {
    case MessageType.Invocation:
      if (typeof value.target !== "string") {
        throw new SyntaxError("Cannot parse invocation: missing target");
      }
      return {
        type,
        target: value.target,
        arguments: Array.isArray(value.arguments) ? value.arguments : [],
      };
    case MessageType.Completion:
      if (typeof value.invocationId !== "string") {
        throw new SyntaxError("Cannot parse completion: missing invocationId");
      }
      return {
        type,
        invocationId: value.invocationId,
        result: value.result,
        error: typeof value.error === "string" ? value.error : undefined,
      };
    case MessageType.Close:
      return {
        type,
        error: typeof value.error === "string" ? value.error : undefined,
        allowReconnect: value.allowReconnect === true,
      };
    default:
      return { type };
  }
}

/** An invocation record; with an id the server answers with one completion. */
export function invocationRecord(
  target: string,
  args: readonly unknown[],
  invocationId?: string,
): string {
  const message: Record<string, unknown> = {
    type: MessageType.Invocation,
    target,
    arguments: args,
  };
  if (invocationId !== undefined) {
    message.invocationId = invocationId;
  }
  return encodeRecord(message);
}

function parseObject(record: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    throw new SyntaxError(`Cannot parse ${what}: not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`Cannot parse ${what}: not an object`);
  }
  return value as Record<string, unknown>;
}
