/**
 * What the hub keeps of an open connection, and the one thing it needs of a
 * transport: a socket that can send and close, whatever carries it
 * (WebSocket, Server-Sent Events, long polling).
 *
 * @module
 */

import type { Frame, HubProtocol } from "./protocol.ts";
import type { ReplayBuffer } from "./replay_buffer.ts";
import type { SharedFrame } from "./shared_frame.ts";
import { CloseReason } from "./wire.ts";

/**
 * What the registry needs of a socket, whatever the transport (WebSocket,
 * Server-Sent Events, long polling): something that can send and close.
 */
export interface Socket {
  /** Sends one message: text, or bytes (a binary frame where the transport has them). */
  send(data: Frame): void;
  /**
   * Sends one message of a broadcast, like `send(frame.data)`, taking from
   * `frame` what its transport makes of it once for all recipients (a
   * WebSocket frame, an event); without it, `send` is used.
   */
  sendShared?(frame: SharedFrame): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
  /** True when the transport carries text only (Server-Sent Events). */
  readonly textOnly?: boolean;
  /**
   * True when the transport itself shows the client is there (long polling:
   * each poll does), so it gets no pings: the official client sends and
   * expects none on such a transport.
   */
  readonly inherentKeepAlive?: boolean;
  /** True while the client holds a request open for the next message (a long poll): it is there. */
  readonly holding?: boolean;
  /** The transport's name, for logs and metrics (default `webSockets`). */
  readonly transport?: "webSockets" | "serverSentEvents" | "longPolling";
}

/** An open connection of a player. */
export interface Connection {
  readonly id: string;
  readonly playerId: number;
  /** Its socket; a resumed connection gets a new one. */
  socket: Socket;
  /** The protocol its handshake chose (JSON until then). */
  protocol: HubProtocol;
  /** The secret token of a negotiated connection, by which its transport finds it again. */
  readonly token?: string;
  /** Present once a connection that may resume completed its handshake. */
  replay?: ReplayBuffer;
  /** When its socket was lost (epoch ms), while it waits to be resumed. */
  lostAt?: number;
  /**
   * When its handshake was answered (epoch ms), while a connection that may
   * resume holds its messages back until the client speaks first (see
   * `ConnectionRegistry.release`).
   */
  heldAt?: number;
  /** When the player's token expires (epoch ms): the one it opened with, or a renewed one. */
  expiresAt: number;
  /** When it last heard from the client (epoch ms). */
  lastSeen: number;
  /** Whether the handshake is done; only then does it get broadcasts. */
  ready: boolean;
  /** When it was last told of dropped clicks (epoch ms). */
  throttledAt: number;
  /** Why the server closed it, for the log; unset when the client went away. */
  closeReason?: string;
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

/**
 * How a connection over the per-player cap is closed: `allowReconnect`
 * false, said outright, so that no client reconnects by itself; otherwise
 * the reconnect would close the player's next oldest connection, whose
 * reconnect would close the next, in a loop.
 */
export function tooManyConnections(error: string): Closing {
  return { error, reason: CloseReason.TooManyConnections, allowReconnect: false };
}
