/**
 * The SignalR JSON hub protocol (version 1) as the page reads and writes it:
 * encoding the messages a client sends and checking the ones it receives.
 * Framing, message numbers and shapes come from the shared wire module. No
 * sockets here; `hub_client.ts` does the I/O.
 *
 * @module
 */

import {
  type CloseMessage,
  type CompletionMessage,
  encodeRecord,
  type HandshakeResponse,
  type InvocationMessage,
  isCloseReason,
  MessageType,
  type PingMessage,
} from "../../src/hub/wire.ts";

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

/** Reads the handshake answer: `{}` accepts, `{"error": "..."}` refuses. */
export function parseHandshakeResponse(record: string): HandshakeResponse {
  const value = parseObject(record, "handshake response");
  if (value.error !== undefined) {
    return { error: String(value.error) };
  }
  return {};
}

/**
 * Reads the server's first record: the handshake answer, or a close record
 * when the server ended the connection before answering (a player's newest
 * connection may close their oldest while it is still shaking hands).
 */
export function parseFirstRecord(record: string): HandshakeResponse | CloseMessage {
  const value = parseObject(record, "handshake response");
  return value.type === MessageType.Close
    ? parseMessage(record) as CloseMessage
    : parseHandshakeResponse(record);
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
    case MessageType.Close: {
      const close: CloseMessage = {
        type,
        error: typeof value.error === "string" ? value.error : undefined,
        allowReconnect: value.allowReconnect === true,
      };
      // An unknown code is no code: the page then goes by the close alone.
      return isCloseReason(value.reason) ? { ...close, reason: value.reason } : close;
    }
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
  // Without an id the server sends no completion (`send`), so none is written.
  const message: InvocationMessage = { type: MessageType.Invocation, target, arguments: args };
  return encodeRecord(invocationId === undefined ? message : { ...message, invocationId });
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
