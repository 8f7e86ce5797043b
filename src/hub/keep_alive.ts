/**
 * The one timer that looks after every connection: once a second it pings
 * (every 15 s by default), acknowledges what resumable connections received,
 * and drops connections whose token expired, whose client fell silent, or
 * whose lost socket was not resumed within the reconnect window; it sends a
 * resumable connection's held messages when its client has not spoken first
 * within {@linkcode HOLD_LIMIT_MS}. It counts
 * the seconds message budgets are charged in. A transport whose requests
 * show the client is there (long polling) gets no pings, and is not silent
 * while it holds a request open.
 *
 * @module
 */

import type { Closing, Connection } from "./connection.ts";
import type { Frame, HubProtocol } from "./protocol.ts";
import { SharedFrame } from "./shared_frame.ts";
import { CloseReason } from "./wire.ts";
import { type Sleep, timerSleep } from "../sleep.ts";

/**
 * How long a resumable connection's messages after the handshake wait for
 * the client's first message before a tick sends them anyway (see
 * `ConnectionRegistry.release`).
 */
export const HOLD_LIMIT_MS = 250;

/** Options of {@linkcode KeepAlive}. */
export interface KeepAliveOptions {
  readonly now: () => number;
  readonly pingIntervalMs: number;
  readonly idleTimeoutMs: number;
  readonly reconnectWindowMs: number;
  /** The wait between two ticks (default a plain timer); tests drive it with `now`. */
  readonly sleep?: Sleep;
}

/** What the keep-alive does to the connections it looks after. */
export interface KeptConnections<C extends Connection> {
  values(): Iterable<C>;
  close(connection: C, closing: Closing): void;
  remove(connection: C): void;
  /**
   * Writes to the socket, outside the replay numbering (pings, acks);
   * `shared`, the same message as every other connection gets.
   */
  write(connection: C, data: Frame, shared?: SharedFrame): void;
  /** Sends what a resumable connection held back since its handshake. */
  release(connection: C): void;
}

/** The registry's timer and what each of its ticks does. */
export class KeepAlive<C extends Connection> {
  readonly #options: KeepAliveOptions;
  readonly #connections: KeptConnections<C>;
  #ticking: AbortController | undefined;
  #lastPing = 0;
  readonly #pings = new Map<HubProtocol, SharedFrame>();
  #second = 0;

  constructor(options: KeepAliveOptions, connections: KeptConnections<C>) {
    this.#options = options;
    this.#connections = connections;
  }

  /** Seconds counted so far. */
  get second(): number {
    return this.#second;
  }

  /** Starts ticking every second, unless it is already. */
  start(): void {
    if (this.#ticking !== undefined) return;
    this.#lastPing = this.#options.now();
    const ticking = this.#ticking = new AbortController();
    void this.#tick(this.#options.sleep ?? timerSleep, ticking.signal);
  }

  /** Stops ticking. */
  stop(): void {
    this.#ticking?.abort();
    this.#ticking = undefined;
  }

  async #tick(sleep: Sleep, signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await sleep(1000, signal);
      } catch {
        return; // stopped
      }
      try {
        this.sweep();
      } catch (error) {
        // Reported as unhandled (the process logs it) while the ticks go on:
        // one bad tick must not end the pings and the expiries for good.
        void Promise.reject(error);
      }
    }
  }

  /** A protocol's ping, framed once for every connection and every tick. */
  #ping(protocol: HubProtocol): SharedFrame {
    let frame = this.#pings.get(protocol);
    if (frame === undefined) this.#pings.set(protocol, frame = new SharedFrame(protocol.ping));
    return frame;
  }

  /** One tick. */
  sweep(): void {
    this.#second++;
    const { now: clock, pingIntervalMs, idleTimeoutMs, reconnectWindowMs } = this.#options;
    const now = clock();
    const ping = now - this.#lastPing >= pingIntervalMs;
    if (ping) this.#lastPing = now;
    const connections = this.#connections;
    for (const connection of [...connections.values()]) {
      if (now >= connection.expiresAt) {
        connections.close(connection, {
          error: "Token expired: log in again",
          reason: CloseReason.TokenExpired,
        });
      } else if (connection.lostAt !== undefined) {
        if (now - connection.lostAt > reconnectWindowMs) connections.remove(connection);
      } else if (!connection.socket.holding && now - connection.lastSeen > idleTimeoutMs) {
        connections.close(connection, {
          error: `Server timeout: no message from the client in ${duration(idleTimeoutMs)}`,
          reason: CloseReason.ServerTimeout,
        });
      } else if (connection.ready) {
        if (connection.heldAt !== undefined && now - connection.heldAt >= HOLD_LIMIT_MS) {
          connections.release(connection);
        }
        if (ping && !connection.socket.inherentKeepAlive) {
          const frame = this.#ping(connection.protocol);
          connections.write(connection, frame.data, frame);
        }
        const ack = connection.replay?.ackDue();
        if (ack !== undefined) connections.write(connection, connection.protocol.encodeAck(ack));
      }
    }
  }
}

/** "30 seconds", "1 second", "1500 ms". */
function duration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms} ms`;
  const seconds = ms / 1000;
  return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
}
