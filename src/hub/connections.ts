/**
 * Open hub connections, by id, by player and by connection token: sending
 * in each connection's protocol, broadcast, keep-alive pings, dropping
 * silent or expired clients, the players-online count, and closing
 * everything at shutdown. One interval timer serves every connection.
 *
 * A broadcast is encoded once per protocol, and each transport makes its
 * wire form of it (a WebSocket frame, an event) once for all its sockets. It
 * goes out in batches, the event loop free between them so that clicks are
 * still answered during a large one; a connection that is sent anything
 * before its batch comes gets the broadcast first, so its messages stay in
 * the order they were sent.
 *
 * A connection that negotiated stateful reconnect keeps a replay buffer:
 * when its socket is lost it stays here, its messages kept, for the
 * reconnect window, and a new socket resumes it where it left off. Its
 * messages after the handshake's answer wait for the client's first message
 * ({@linkcode ConnectionRegistry.release}), so that both sides number them
 * alike.
 *
 * @module
 */

import type { Frame, HubProtocol } from "./protocol.ts";
import {
  type Closing,
  type Connection,
  GOING_AWAY,
  type Socket,
  tooManyConnections,
} from "./connection.ts";
import { ConnectionSet } from "./connection_set.ts";
import { SharedFrame } from "./shared_frame.ts";
import { KeepAlive } from "./keep_alive.ts";
import { PlayerCountNotice } from "./player_count.ts";
import { CloseReason, type PlayerCount } from "./wire.ts";
import { HubCounts } from "../metrics/hub_counts.ts";
import { setImmediate } from "node:timers";
import type { Sleep } from "../sleep.ts";

export { type Closing, type Connection, GOING_AWAY, type Socket };

/** Options of {@linkcode ConnectionRegistry}. */
export interface ConnectionRegistryOptions<C extends Connection = Connection> {
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** The wait between the keep-alive's ticks (default a plain timer); tests drive it with `now`. */
  readonly sleep?: Sleep;
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
  /** How long a connection whose socket was lost may be resumed (default 30 s). */
  readonly reconnectWindowMs?: number;
  /** Called when a connection leaves the registry (closed by either side). */
  readonly onRemove?: (connection: C) => void;
  /**
   * The players online that `PlayerCount` reports (default: those with a
   * connection here); several servers count across all of them, and call
   * {@linkcode ConnectionRegistry.onlineChanged} when it moves.
   */
  readonly online?: () => number;
  /** Where messages written are counted (default: a count of its own). */
  readonly counts?: HubCounts;
  /** Connections a broadcast reaches before it lets other work in (default 500). */
  readonly broadcastBatch?: number;
  /** How a broadcast waits for its next batch (default: `setImmediate`, after pending I/O). */
  readonly nextBatch?: (run: () => void) => void;
}

/** Options of {@linkcode ConnectionRegistry.broadcast}. */
export interface BroadcastOptions {
  /** Called once the message is written to every recipient (at once when one batch holds them). */
  readonly sent?: () => void;
}

/** A broadcast not yet sent to every connection it is for. */
interface PendingBroadcast<C extends Connection> {
  /** Its recipients, in the order it reaches them. */
  readonly list: readonly C[];
  /** The recipients it has yet to reach. */
  readonly waiting: Set<C>;
  /** Where in `list` the next batch starts. */
  next: number;
  /** The message in each recipient's protocol. */
  readonly frames: Map<HubProtocol, SharedFrame>;
  readonly sent?: () => void;
}

/** Every open connection, and the one timer that looks after them. */
export class ConnectionRegistry<C extends Connection = Connection> {
  readonly #connections = new ConnectionSet<C>();
  readonly #now: () => number;
  readonly #maxPerPlayer: number;
  readonly #maxBufferedBytes: number;
  readonly #onRemove: (connection: C) => void;
  readonly #online: (() => number) | undefined;
  readonly #keepAlive: KeepAlive<C>;
  readonly #count: PlayerCountNotice;
  /** Set once closeAll() ran: how new connections are closed. */
  #closing: Closing | undefined;
  readonly #counts: HubCounts;
  readonly #batch: number;
  readonly #nextBatch: (run: () => void) => void;
  /** Broadcasts still going out, oldest first; only the first one sends batches. */
  readonly #pending: PendingBroadcast<C>[] = [];

  constructor(options: ConnectionRegistryOptions<C> = {}) {
    this.#counts = options.counts ?? new HubCounts();
    this.#batch = options.broadcastBatch ?? 500;
    this.#nextBatch = options.nextBatch ?? ((run) => setImmediate(run));
    this.#now = options.now ?? Date.now;
    this.#maxPerPlayer = options.maxPerPlayer ?? 5;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.#onRemove = options.onRemove ?? (() => {});
    this.#online = options.online;
    this.#keepAlive = new KeepAlive({
      now: this.#now,
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      reconnectWindowMs: options.reconnectWindowMs ?? 30_000,
      sleep: options.sleep,
    }, {
      values: () => this.#connections.values(),
      close: (connection, closing) => this.close(connection, closing),
      remove: (connection) => this.remove(connection),
      write: (connection, data, shared) => this.#write(connection, data, shared),
      release: (connection) => this.release(connection),
    });
    this.#count = new PlayerCountNotice({
      now: this.#now,
      intervalMs: options.playerCountIntervalMs ?? 500,
      online: () => this.online,
      send: (online) => {
        const count = { online } satisfies PlayerCount;
        this.broadcast((protocol) => protocol.encodeInvocation("PlayerCount", count));
      },
    });
  }

  /** Open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /** Players with a connection to this server, whatever `online` counts. */
  get playersHere(): number {
    return this.#connections.players;
  }

  /** Every open connection, for a scrape that sorts them by transport and protocol. */
  values(): IterableIterator<C> {
    return this.#connections.values();
  }

  /** Seconds counted by the registry's timer: message budgets reset when it moves. */
  get second(): number {
    return this.#keepAlive.second;
  }

  /** Players online: those with a connection here, or as counted by the `online` option. */
  get online(): number {
    return this.#online?.() ?? this.#connections.players;
  }

  /** The count of the `online` option moved: `PlayerCount` goes out (throttled). */
  onlineChanged(): void {
    this.#count.changed();
  }

  /** The connection with this id. */
  get(id: string): C | undefined {
    return this.#connections.get(id);
  }

  /** The connection negotiated with this connection token. */
  byToken(token: string): C | undefined {
    return this.#connections.byToken(token);
  }

  /** The client showed it is there without a message (a long poll): it isn't silent. */
  heard(connection: C): void {
    connection.lastSeen = this.#now();
  }

  /** The open connections of a player, oldest first. */
  connectionsOf(playerId: number): readonly C[] {
    return this.#connections.of(playerId);
  }

  /**
   * The player renewed their token: their open connections now expire with
   * the new one (never earlier than they did), so a socket opened with the
   * old token is not closed for expiry while its player plays on.
   */
  extendExpiry(playerId: number, expiresAt: number): void {
    for (const connection of this.#connections.of(playerId)) {
      connection.expiresAt = Math.max(connection.expiresAt, expiresAt);
    }
  }

  /**
   * Closes the player's oldest connections until one more fits under the
   * limit. The hub calls it before a new connection joins the game, so that
   * a count across servers sees the old one leave before the new one comes,
   * and does not close a second one for it.
   */
  makeRoom(playerId: number): void {
    if (this.#closing !== undefined) return;
    for (;;) {
      const list = this.#connections.of(playerId);
      if (list.length === 0 || list.length < this.#maxPerPlayer) return;
      this.#closeOverLimit(list[0]);
    }
  }

  /** Adds a connection; a player over the limit loses their oldest one. */
  add(connection: C): void {
    this.#connections.add(connection);
    if (this.#closing !== undefined) {
      this.close(connection, this.#closing);
      return;
    }
    const list = this.#connections.addToPlayer(connection);
    if (list.length > this.#maxPerPlayer) this.#closeOverLimit(list[0]);
    this.#keepAlive.start();
    this.#count.changed();
  }

  #closeOverLimit(connection: C): void {
    this.close(
      connection,
      tooManyConnections(`Too many connections: at most ${this.#maxPerPlayer} per player`),
    );
  }

  /**
   * Removes a connection that closed; safe to call twice. With `socket`, only
   * while that is still the connection's socket (an old one of a resumed
   * connection may close late).
   */
  remove(connection: C, socket?: Socket): void {
    if (socket !== undefined && connection.socket !== socket) return;
    if (!this.#connections.delete(connection)) return;
    this.#onRemove(connection);
    this.#count.changed();
  }

  /**
   * Sends an invocation or completion, encoded in the connection's protocol,
   * to one connection; drops it if too much is already queued for it. A
   * connection that may resume keeps it for a replay, and only keeps it while
   * its socket is lost.
   */
  send(connection: C, data: Frame): void {
    if (this.#pending.length > 0) this.#catchUp(connection);
    this.#deliver(connection, data);
  }

  /**
   * Sends, as {@linkcode send} does, a message that other connections are
   * sent too: the transport frames it once for all of them.
   */
  sendShared(connection: C, frame: SharedFrame): void {
    if (this.#pending.length > 0) this.#catchUp(connection);
    this.#deliver(connection, frame.data, frame);
  }

  #deliver(connection: C, data: Frame, shared?: SharedFrame): void {
    this.#counts.messagesOut++;
    const replay = connection.replay;
    if (replay !== undefined && !replay.add(data)) {
      this.close(connection, {
        error: "Client too slow: it does not acknowledge the server's messages",
        reason: CloseReason.ClientTooSlow,
      });
      return;
    }
    if (connection.lostAt === undefined && connection.heldAt === undefined) {
      this.#write(connection, data, shared);
    }
  }

  /**
   * Sends what a connection that may resume held back since its handshake.
   *
   * Both sides number the messages after the handshake's answer from 1, and a
   * resumed connection skips by those numbers what it already has. The
   * official JavaScript client only starts counting once it has finished
   * starting, a turn after it read the answer: messages that reached it in
   * the same read (under Node.js, everything written with the answer) are
   * handled but not counted, and after a reconnect it takes the last ones it
   * got again. It speaks as soon as it counts (a ping), so the messages wait
   * for that, or for the keep-alive tick after `HOLD_LIMIT_MS`
   * for a client that doesn't speak first. A client that never counts wrong
   * loses nothing by the wait but those milliseconds.
   */
  release(connection: C): void {
    if (connection.heldAt === undefined) return;
    connection.heldAt = undefined;
    if (connection.lostAt !== undefined || connection.replay === undefined) return;
    for (const data of connection.replay.unacknowledged()) this.#write(connection, data);
  }

  /**
   * Writes to the socket: replies of the handshake, pings, acks, none of them
   * replayed; `shared`, the same message as a broadcast shares it.
   */
  #write(connection: C, data: Frame, shared?: SharedFrame): void {
    const socket = connection.socket;
    if (socket.bufferedAmount > this.#maxBufferedBytes) {
      this.close(connection, {
        error: "Client too slow: it is not reading the server's messages",
        reason: CloseReason.ClientTooSlow,
      });
      return;
    }
    try {
      if (shared !== undefined && socket.sendShared !== undefined) socket.sendShared(shared);
      else socket.send(data);
    } catch {
      this.remove(connection);
    }
  }

  /**
   * Sends one message to every connection past its handshake: encoded once
   * per protocol, framed once per transport, in batches of `broadcastBatch`
   * connections (the first at once).
   */
  broadcast(encode: (protocol: HubProtocol) => Frame, options: BroadcastOptions = {}): void {
    const list: C[] = [];
    const frames = new Map<HubProtocol, SharedFrame>();
    for (const connection of this.#connections.values()) {
      if (!connection.ready) continue;
      list.push(connection);
      const protocol = connection.protocol;
      if (!frames.has(protocol)) frames.set(protocol, new SharedFrame(encode(protocol)));
    }
    if (this.#pending.length === 0 && list.length <= this.#batch) {
      for (const connection of list) {
        const frame = frames.get(connection.protocol)!;
        this.#deliver(connection, frame.data, frame);
      }
      options.sent?.();
      return;
    }
    this.#pending.push({ list, waiting: new Set(list), next: 0, frames, sent: options.sent });
    if (this.#pending.length === 1) this.#sendBatch();
  }

  /** Sends the next batch of the oldest pending broadcast, and asks for the one after. */
  #sendBatch(): void {
    const broadcast = this.#pending[0];
    if (broadcast === undefined) return;
    const { list, waiting, frames } = broadcast;
    const end = Math.min(list.length, broadcast.next + this.#batch);
    for (let i = broadcast.next; i < end; i++) {
      const connection = list[i];
      if (!waiting.delete(connection) || this.#connections.get(connection.id) !== connection) {
        continue;
      }
      const frame = frames.get(connection.protocol)!;
      this.#deliver(connection, frame.data, frame);
    }
    broadcast.next = end;
    if (end === list.length) {
      this.#pending.shift();
      broadcast.sent?.();
    }
    if (this.#pending.length > 0) this.#nextBatch(() => this.#sendBatch());
  }

  /** Sends `connection` every pending broadcast its batch has not reached yet, oldest first. */
  #catchUp(connection: C): void {
    for (const broadcast of this.#pending) {
      if (!broadcast.waiting.delete(connection)) continue;
      const frame = broadcast.frames.get(connection.protocol)!;
      this.#deliver(connection, frame.data, frame);
    }
  }

  /**
   * The socket of a connection went away without a close from either side
   * (a network failure): one that may resume is kept for the reconnect
   * window, with what is sent to it meanwhile; any other is removed.
   */
  lost(connection: C, socket: Socket): void {
    if (this.#connections.get(connection.id) !== connection || connection.socket !== socket) {
      return;
    }
    if (connection.replay === undefined || this.#closing !== undefined) {
      this.remove(connection);
      return;
    }
    connection.lostAt = this.#now();
  }

  /**
   * A connection that may resume has a new socket (its old one, if it still
   * seems open, is closed): the client is told where the numbering restarts,
   * and every message it hasn't acknowledged is sent again.
   */
  resume(connection: C, socket: Socket): void {
    const old = connection.socket;
    connection.socket = socket;
    connection.lostAt = undefined;
    connection.heldAt = undefined;
    connection.lastSeen = this.#now();
    if (old !== socket) {
      try {
        old.close(GOING_AWAY, "Resumed on another socket");
      } catch {
        // Already gone.
      }
    }
    if (connection.replay === undefined) return;
    const { sequenceId, frames } = connection.replay.resume();
    this.#write(connection, connection.protocol.encodeSequence(sequenceId));
    for (const data of frames) this.#write(connection, data);
  }

  /**
   * Closes a connection with a close message saying why (none when the client
   * asked to close), then the socket.
   */
  close(connection: C, closing?: Closing): void {
    connection.closeReason ??= closing?.reason ?? "client-closed";
    const error = closing?.error;
    try {
      if ((connection.ready || closing !== undefined) && connection.lostAt === undefined) {
        connection.socket.send(connection.protocol.encodeClose(error, closing));
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
    for (const connection of [...this.#connections.values()]) this.close(connection, closing);
  }

  /**
   * One tick of the timer (`keep_alive.ts`): pings, acknowledgements, and
   * dropping expired, silent or lost connections.
   */
  sweep(): void {
    this.#keepAlive.sweep();
  }

  #stop(): void {
    this.#pending.length = 0;
    this.#keepAlive.stop();
    this.#count.stop();
  }

  /** Tells one new connection the current count (it missed the broadcasts). */
  sendCount(connection: C): void {
    const count = { online: this.online } satisfies PlayerCount;
    this.send(connection, connection.protocol.encodeInvocation("PlayerCount", count));
  }
}

function truncate(reason: string): string {
  // A close reason may hold at most 123 bytes.
  const bytes = new TextEncoder().encode(reason);
  return bytes.length <= 123 ? reason : new TextDecoder().decode(bytes.slice(0, 120)) + "...";
}
