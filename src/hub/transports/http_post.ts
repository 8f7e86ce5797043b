/**
 * `POST /game?id=`: the client's messages for a Server-Sent Events or
 * long-polling connection, one request at a time, its body read up to the
 * same bound a WebSocket message has and charged to the same budget. The
 * body is text until the handshake and for the JSON protocol, bytes for
 * MessagePack.
 *
 * @module
 */

import type { Context } from "hono";
import type { Hub, HubConnection } from "../hub.ts";
import { MESSAGE_TOO_BIG } from "../protocol.ts";
import { CloseReason } from "../wire.ts";
import type { ConnectionBudgets } from "./connection_budgets.ts";
import { MAX_MESSAGE_BYTES } from "./websocket.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Takes the POSTs of every Server-Sent Events and long-polling connection. */
export class PostReceiver {
  readonly #hub: Hub;
  readonly #budgets: ConnectionBudgets;
  /** Connections with a POST in progress. */
  readonly #posting = new WeakSet<HubConnection>();

  constructor(hub: Hub, budgets: ConnectionBudgets) {
    this.#hub = hub;
    this.#budgets = budgets;
  }

  /** Reads a POST's messages into the hub; answers 200 once they are handled. */
  async receive(c: Context, connection: HubConnection): Promise<Response> {
    const posting = this.#posting;
    if (posting.has(connection)) {
      return c.json({ message: "Another POST to this connection is in progress" }, 409);
    }
    posting.add(connection);
    try {
      const body = await readBody(c.req.raw, MAX_MESSAGE_BYTES);
      if (body === undefined) {
        const error = `Cannot read message: larger than ${MAX_MESSAGE_BYTES} bytes`;
        this.#hub.registry.close(connection, {
          error,
          reason: CloseReason.MessageTooLarge,
          code: MESSAGE_TOO_BIG,
        });
        return c.json({ message: error }, 413);
      }
      if (!this.#budgets.charge(connection, body.length)) {
        return c.json({ message: "Too many messages: the connection is closed" }, 429);
      }
      if (connection.protocol.transferFormat === "Binary") {
        this.#hub.message(connection, body);
      } else {
        let text: string;
        try {
          text = utf8.decode(body);
        } catch {
          const error = "Cannot read message: not UTF-8 text";
          this.#hub.registry.close(connection, { error, reason: CloseReason.ProtocolError });
          return c.json({ message: error }, 400);
        }
        this.#hub.message(connection, text);
      }
      return c.body(null, 200);
    } finally {
      posting.delete(connection);
    }
  }
}

/** The request's body, or `undefined` when it is longer than `limit` bytes. */
async function readBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await request.body?.cancel();
    return undefined;
  }
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > limit) return undefined; // leaving the loop cancels the body
    chunks.push(chunk);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
