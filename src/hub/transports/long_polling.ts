/**
 * The long-polling transport: the client asks `GET /game?id=` again and
 * again; each poll is answered with every message queued since the last
 * one, at once when there are some, else as soon as one comes (or with an
 * empty 200 after {@linkcode POLL_TIMEOUT_MS}, and the client asks again).
 * The client's messages come by `POST /game?id=`. Its first poll only opens
 * the connection and is answered at once.
 *
 * Polling is what shows the client is there (its keep-alive is inherent, as
 * the official client knows: it sends no pings on this transport, and
 * expects none). A poll held open counts as the client being there; one that
 * stops polling is dropped like a silent socket, its idle time counted from
 * the end of its last poll. What is queued for a client counts as its
 * socket's `bufferedAmount`, which the registry bounds. Once its connection
 * is closed, the client may still collect the last messages (the close
 * record saying why) for a few seconds; then polls answer 204, the end.
 *
 * @module
 */

import type { Socket } from "../connections.ts";
import type { Frame } from "../protocol.ts";
import { type Sleep, timerSleep } from "../../sleep.ts";

/**
 * How long a poll is held when there is nothing to send, in ms: under the
 * 60 s a proxy commonly allows a response to stay silent (nginx's default
 * `proxy_read_timeout`), with room for a late timer, and under the official
 * client's own 100 s poll timeout.
 */
export const POLL_TIMEOUT_MS = 50_000;

/** How long a closed connection's last messages wait for their poll, in ms. */
const CLOSED_KEPT_MS = 5_000;

const encoder = new TextEncoder();
const HEADERS = { "Content-Type": "application/octet-stream", "Cache-Control": "no-store" };

/** Options of {@linkcode LongPollingSocket}. */
export interface LongPollingOptions {
  /** How long a poll with nothing to send is held, in ms (default {@linkcode POLL_TIMEOUT_MS}). */
  readonly pollTimeoutMs?: number;
  /** How a held poll waits (default: a plain timer); tests pass a fake one. */
  readonly sleep?: Sleep;
}

/** One long-polling client's queue and held poll, as a socket. */
export class LongPollingSocket implements Socket {
  readonly transport = "longPolling";
  /** Each poll shows the client is there: it gets no pings. */
  readonly inherentKeepAlive = true;
  readonly #pollTimeoutMs: number;
  readonly #sleep: Sleep;
  #queue: Frame[] = [];
  #queued = 0;
  #poll: ReadableStreamDefaultController<Uint8Array> | undefined;
  #hold: AbortController | undefined;
  #closed = false;
  #onClose: () => void = () => {};
  #onPollEnd: () => void = () => {};

  constructor(options: LongPollingOptions = {}) {
    this.#pollTimeoutMs = options.pollTimeoutMs ?? POLL_TIMEOUT_MS;
    this.#sleep = options.sleep ?? timerSleep;
  }

  /** Whether a poll is held open, waiting for a message: the client is there. */
  get holding(): boolean {
    return this.#poll !== undefined;
  }

  /** Bytes queued for the client's next poll. */
  get bufferedAmount(): number {
    return this.#queued;
  }

  /** Whether its connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Calls `onClose` once the connection closes. */
  onClose(onClose: () => void): void {
    this.#onClose = onClose;
  }

  /** Calls `onPollEnd` whenever a held poll ends: answered, timed out, or left by its client. */
  onPollEnd(onPollEnd: () => void): void {
    this.#onPollEnd = onPollEnd;
  }

  /** Queues one message, handing it to the poll waiting if there is one. */
  send(data: Frame): void {
    if (this.#closed) throw new Error("Long-polling connection closed");
    this.#queue.push(data);
    this.#queued += typeof data === "string" ? data.length : data.byteLength;
    if (this.#poll !== undefined) this.#answer(this.#poll);
  }

  /** Closes the connection: a waiting poll gets what is queued, later polls the rest or 204. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poll !== undefined) this.#answer(this.#poll);
    this.#onClose();
  }

  /**
   * Answers one poll: what is queued, or, with nothing queued, 204 once
   * closed, else a response that waits for the next message. A new poll
   * ends one still waiting, empty.
   */
  poll(): Response {
    if (this.#poll !== undefined) this.#answer(this.#poll);
    if (this.#queue.length > 0) {
      return new Response(this.#take(), { status: 200, headers: HEADERS });
    }
    if (this.#closed) return new Response(null, { status: 204, headers: HEADERS });
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#poll = controller;
        const hold = this.#hold = new AbortController();
        this.#sleep(this.#pollTimeoutMs, hold.signal).then(
          () => this.#answer(controller),
          () => {}, // answered sooner
        );
      },
      // The client left: what comes next waits for its next poll.
      cancel: () => this.#release(),
    });
    return new Response(body, { status: 200, headers: HEADERS });
  }

  /** Ends a waiting poll with what is queued (maybe nothing). */
  #answer(controller: ReadableStreamDefaultController<Uint8Array>): void {
    if (controller !== this.#poll) return;
    this.#release();
    if (this.#queue.length > 0) controller.enqueue(this.#take());
    controller.close();
  }

  #release(): void {
    if (this.#poll === undefined) return;
    this.#hold?.abort();
    this.#poll = undefined;
    this.#hold = undefined;
    this.#onPollEnd();
  }

  /** Everything queued, as one body, and the queue emptied. */
  #take(): Uint8Array<ArrayBuffer> {
    const parts = this.#queue.map((data) => typeof data === "string" ? encoder.encode(data) : data);
    this.#queue = [];
    this.#queued = 0;
    if (parts.length === 1 && parts[0].buffer instanceof ArrayBuffer) {
      return parts[0] as Uint8Array<ArrayBuffer>;
    }
    const body = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      body.set(part, offset);
      offset += part.length;
    }
    return body;
  }
}

/** Long-polling sockets whose connection closed, kept a moment for their last poll. */
export class ClosedPolls {
  readonly #kept = new Map<string, { socket: LongPollingSocket; until: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Keeps `socket`, closed, under its connection token. */
  keep(token: string, socket: LongPollingSocket): void {
    this.#prune();
    this.#kept.set(token, { socket, until: this.#now() + CLOSED_KEPT_MS });
  }

  /** The closed socket of `token`, while it is kept. */
  get(token: string): LongPollingSocket | undefined {
    this.#prune();
    return this.#kept.get(token)?.socket;
  }

  #prune(): void {
    const now = this.#now();
    for (const [token, { until }] of this.#kept) {
      if (until > now) break;
      this.#kept.delete(token);
    }
  }
}
