/**
 * The Server-Sent Events transport: the server's messages go down one
 * long `text/event-stream` response, one event per message, and the
 * client's come by `POST /game?id=`. Events carry text only, so this
 * transport offers the JSON protocol alone.
 *
 * @module
 */

import type { Socket } from "../connections.ts";
import type { Frame } from "../protocol.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One client's event stream as a socket. What is queued and not yet taken
 * by the HTTP response is its `bufferedAmount`, which the registry bounds.
 */
export class ServerSentEventsSocket implements Socket {
  /** Events carry text only. */
  readonly textOnly = true;
  readonly transport = "serverSentEvents";
  /** The response to answer the client's `GET` with. */
  readonly response: Response;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  #gone: () => void = () => {};

  constructor() {
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          // A comment first, so the response starts at once and the client's
          // EventSource opens before the first message.
          controller.enqueue(encoder.encode(":\r\n"));
        },
        cancel: () => {
          this.#closed = true;
          this.#gone();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    this.response = new Response(body, {
      headers: {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        // Proxies that buffer responses would hold the events back.
        "X-Accel-Buffering": "no",
      },
    });
  }

  /** Calls `gone` when the client goes away (its response is cancelled). */
  onGone(gone: () => void): void {
    this.#gone = gone;
  }

  /** Bytes queued for the response. */
  get bufferedAmount(): number {
    return this.#closed ? 0 : Math.max(0, -(this.#controller.desiredSize ?? 0));
  }

  /** Sends one message as one event. */
  send(data: Frame): void {
    if (this.#closed) throw new Error("Event stream closed");
    this.#controller.enqueue(encoder.encode(event(data)));
  }

  /** Ends the event stream once what is queued is sent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
  }
}

/** A message as an event: every line of it a `data:` line, then a blank line. */
export function event(data: Frame): string {
  const text = typeof data === "string" ? data : decoder.decode(data);
  return text.split(/\r\n|\r|\n/).map((line) => `data: ${line}\r\n`).join("") + "\r\n";
}
