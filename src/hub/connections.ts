/**
 * Open hub connections, by id and by player: broadcast, keep-alive pings,
 * dropping silent or expired clients, the players-online count, and closing
 * everything at shutdown. One interval timer serves every connection.
 *
 * @module
 */

import { encodeClose, encodeInvocation, PING } from "./protocol.ts";
import { CloseReason, type PlayerCount } from "./wire.ts";

/** What the registry needs of a socket: something that can send and close. */
export interface Socket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
}

/** An open connection of a player. */
export interface Connection {
  readonly id: string;
  readonly playerId: number;
  readonly socket: Socket;
  /** When the token it was opened with expires (epoch ms). */
  readonly expiresAt: number;
  /** When it last heard from the client (epoch ms). */
  lastSeen: number;
  /** Whether the handshake is done; only then does it get broadcasts. */
  ready: boolean;
  /** When it was last told of dropped clicks (epoch ms). */
  throttledAt: number;
}

/** Options of {@linkcode ConnectionRegistry}. */
export interface ConnectionRegistryOptions<C extends Connection = Connection> {
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** How often the server pings (default 15 s, the official client's expectation). */
  readonly pingIntervalMs?: number;
  /** How long a client may stay silent (default 30 s, the official client's own timeout). */
  readonly idleTimeoutMs?: number;
  /** Open connections one player may hold (default 5); the oldest goes first. */
  readonly maxPerPlayer?: number;
  /** Bytes queued for one client before it is dropped as too slow (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Shortest gap between two `PlayerCount` messages (default 500 ms). */
  readonly playerCountIntervalMs?: number;
  /** Called when a connection leaves the registry (closed by either side). */
  readonly onRemove?: (connection: C) => void;
}

/** Close code for a server going away. */
export const GOING_AWAY = 1001;

/** Why the server ends a connection: what the client is told, and how the socket closes. */
export interface Closing {
  /** What the client should show. */
  readonly error: string;
  /** Why, for programs: the page acts on this, never on the words. */
  readonly reason: CloseReason;
  /** The WebSocket close code (default 1000). */
  readonly code?: number;
  /** Whether the client may reconnect (default false). */
  readonly allowReconnect?: boolean;
}

/** Every open connection, and the one timer that looks after them. */
export class ConnectionRegistry<C extends Connection = Connection> {
  readonly #byId = new Map<string, C>();
  readonly #byPlayer = new Map<number, C[]>();
  readonly #now: () => number;
  readonly #pingIntervalMs: number;
  readonly #idleTimeoutMs: number;
  readonly #maxPerPlayer: number;
  readonly #maxBufferedBytes: number;
  readonly #playerCountIntervalMs: number;
  readonly #onRemove: (connection: C) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastPing = 0;
  #second = 0;
  #sentOnline = -1;
  #countTimer: ReturnType<typeof setTimeout> | undefined;
  #countSentAt = 0;
  /** Set once closeAll() ran: how new connections are closed. */
  #closing: Closing | undefined;

  constructor(options: ConnectionRegistryOptions<C> = {}) {
    this.#now = options.now ?? Date.now;
    this.#pingIntervalMs = options.pingIntervalMs ?? 15_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#maxPerPlayer = options.maxPerPlayer ?? 5;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.#playerCountIntervalMs = options.playerCountIntervalMs ?? 500;
    this.#onRemove = options.onRemove ?? (() => {});
  }

  /** Open connections. */
  get size(): number {
    return this.#byId.size;
  }

  /** Seconds counted by the registry's timer: message budgets reset when it moves. */
  get second(): number {
    return this.#second;
  }

  /** Players with at least one open connection. */
  get online(): number {
    return this.#byPlayer.size;
  }

  /** The connection with this id. */
  get(id: string): C | undefined {
    return this.#byId.get(id);
  }

  /** Adds a connection; a player over the limit loses their oldest one. */
  add(connection: C): void {
    this.#byId.set(connection.id, connection);
    if (this.#closing !== undefined) {
      this.close(connection, this.#closing);
      return;
    }
    let list = this.#byPlayer.get(connection.playerId);
    if (!list) this.#byPlayer.set(connection.playerId, list = []);
    list.push(connection);
    if (list.length > this.#maxPerPlayer) {
      this.close(list[0], {
        error: `Too many connections: at most ${this.#maxPerPlayer} per player`,
        reason: CloseReason.TooManyConnections,
      });
    }
    this.#start();
    this.#countChanged();
  }

  /** Removes a connection that closed; safe to call twice. */
  remove(connection: C): void {
    if (!this.#byId.delete(connection.id)) return;
    const list = this.#byPlayer.get(connection.playerId);
    if (list) {
      const index = list.indexOf(connection);
      if (index !== -1) list.splice(index, 1);
      if (list.length === 0) this.#byPlayer.delete(connection.playerId);
    }
    this.#onRemove(connection);
    this.#countChanged();
  }

  /** Sends text to one connection; drops it if too much is already queued for it. */
  send(connection: C, text: string): void {
    if (connection.socket.bufferedAmount > this.#maxBufferedBytes) {
      this.close(connection, {
        error: "Client too slow: it is not reading the server's messages",
        reason: CloseReason.ClientTooSlow,
      });
      return;
    }
    try {
      connection.socket.send(text);
    } catch {
      this.remove(connection);
    }
  }

  /** Sends the same text to every connection past its handshake. */
  broadcast(text: string): void {
    for (const connection of this.#byId.values()) {
      if (connection.ready) this.send(connection, text);
    }
  }

  /**
   * Closes a connection with a close message saying why (none when the client
   * asked to close), then the socket.
   */
  close(connection: C, closing?: Closing): void {
    const error = closing?.error;
    try {
      if (connection.ready || closing !== undefined) {
        connection.socket.send(encodeClose(error, closing));
      }
    } catch {
      // The socket is already gone; removing it is all that is left.
    }
    try {
      connection.socket.close(
        closing?.code ?? 1000,
        error === undefined ? undefined : truncate(error),
      );
    } catch {
      // Already closed.
    }
    this.remove(connection);
  }

  /**
   * Closes every connection with code 1001, telling clients they may
   * reconnect, and refuses new ones from then on; safe to call twice.
   */
  closeAll(error = "Server is shutting down"): void {
    const closing: Closing = {
      error,
      reason: CloseReason.ShuttingDown,
      code: GOING_AWAY,
      allowReconnect: true,
    };
    this.#closing = closing;
    this.#stop();
    for (const connection of [...this.#byId.values()]) this.close(connection, closing);
  }

  /** Pings everyone when due, drops silent clients and those whose token expired. */
  sweep(): void {
    this.#second++;
    const now = this.#now();
    const ping = now - this.#lastPing >= this.#pingIntervalMs;
    if (ping) this.#lastPing = now;
    for (const connection of [...this.#byId.values()]) {
      if (now >= connection.expiresAt) {
        this.close(connection, {
          error: "Token expired: log in again",
          reason: CloseReason.TokenExpired,
        });
      } else if (now - connection.lastSeen > this.#idleTimeoutMs) {
        this.close(connection, {
          error: `Server timeout: no message from the client in ${duration(this.#idleTimeoutMs)}`,
          reason: CloseReason.ServerTimeout,
        });
      } else if (ping && connection.ready) {
        this.send(connection, PING);
      }
    }
  }

  #start(): void {
    if (this.#timer !== undefined) return;
    this.#lastPing = this.#now();
    this.#timer = setInterval(() => this.sweep(), 1000);
  }

  #stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#countTimer);
    this.#timer = undefined;
    this.#countTimer = undefined;
  }

  /** Sends `PlayerCount` when the number of players changed, at most twice a second. */
  #countChanged(): void {
    if (this.#countTimer !== undefined) return;
    const wait = this.#countSentAt + this.#playerCountIntervalMs - this.#now();
    if (wait > 0) {
      this.#countTimer = setTimeout(() => {
        this.#countTimer = undefined;
        this.#sendCount();
      }, wait);
      return;
    }
    this.#sendCount();
  }

  /** Sends the count if it differs from the last one sent. */
  #sendCount(): void {
    const online = this.online;
    if (online === this.#sentOnline) return;
    this.#sentOnline = online;
    this.#countSentAt = this.#now();
    this.broadcast(encodeInvocation("PlayerCount", { online } satisfies PlayerCount));
  }

  /** Tells one new connection the current count (it missed the broadcasts). */
  sendCount(connection: C): void {
    const count = { online: this.online } satisfies PlayerCount;
    this.send(connection, encodeInvocation("PlayerCount", count));
  }
}

/** "30 seconds", "1 second", "1500 ms". */
function duration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms} ms`;
  const seconds = ms / 1000;
  return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
}

function truncate(reason: string): string {
  // A close reason may hold at most 123 bytes.
  const bytes = new TextEncoder().encode(reason);
  return bytes.length <= 123 ? reason : new TextDecoder().decode(bytes.slice(0, 120)) + "...";
}
