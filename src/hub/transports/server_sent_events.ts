/**
 * The Server-Sent Events transport: the server's messages go down one
 * long `text/event-stream` response, one event per message, and the
 * client's come by `POST /game?id=`. Events carry text only, so this
 * transport offers the JSON protocol alone.
 *
 * The stream lasts as long as its client. A comment every
 * {@linkcode KEEP_ALIVE_MS} keeps it from looking dead to a proxy in between,
 * whatever the hub sends (before the handshake, it sends nothing).
 *
 * @module
 */

import type { Socket } from "../connections.ts";
import type { Frame } from "../protocol.ts";
import type { SharedFrame } from "../shared_frame.ts";
import { type Sleep, timerSleep } from "../../sleep.ts";

/**
 * How often the stream carries a keep-alive comment, in ms: a quarter of the
 * 60 s a proxy commonly lets a response stay silent (nginx's default
 * `proxy_read_timeout`), so a late timer or a slow write still fits, and the
 * hub's own ping interval.
 */
export const KEEP_ALIVE_MS = 15_000;

/** An event-stream comment: clients ignore it, proxies see bytes go by. */
const COMMENT = ":\r\n";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options of {@linkcode ServerSentEventsSocket}. */
export interface ServerSentEventsOptions {
  /** How often a keep-alive comment goes out, in ms (default {@linkcode KEEP_ALIVE_MS}). */
  readonly keepAliveMs?: number;
  /** How the keep-alive waits (default: a plain timer); tests pass a fake one. */
  readonly sleep?: Sleep;
}

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
  readonly #stopKeepAlive = new AbortController();

  constructor(options: ServerSentEventsOptions = {}) {
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          // A comment first, so the response starts at once and the client's
          // EventSource opens before the first message.
          controller.enqueue(encoder.encode(COMMENT));
        },
        cancel: () => {
          this.#closed = true;
          this.#stopKeepAlive.abort();
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
    void this.#keepAlive(options.keepAliveMs ?? KEEP_ALIVE_MS, options.sleep ?? timerSleep);
  }

  /** Sends a comment every `ms` until the stream ends. */
  async #keepAlive(ms: number, sleep: Sleep): Promise<void> {
    const signal = this.#stopKeepAlive.signal;
    try {
      for (;;) {
        await sleep(ms, signal);
        if (signal.aborted) return;
        this.#controller.enqueue(encoder.encode(COMMENT));
      }
    } catch {
      // Stopped: the stream ended.
    }
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

  /** Sends a broadcast's message as the event every stream shares. */
  sendShared(frame: SharedFrame): void {
    if (this.#closed) throw new Error("Event stream closed");
    this.#controller.enqueue(frame.as(eventBytes));
  }

  /** Ends the event stream once what is queued is sent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopKeepAlive.abort();
    this.#controller.close();
  }
}

/** A message as the bytes of an event. */
function eventBytes(data: Frame): Uint8Array {
  return encoder.encode(event(data));
}

/** A message as an event: every line of it a `data:` line, then a blank line. */
export function event(data: Frame): string {
  const text = typeof data === "string" ? data : decoder.decode(data);
  return text.split(/\r\n|\r|\n/).map((line) => `data: ${line}\r\n`).join("") + "\r\n";
}
