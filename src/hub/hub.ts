/**
 * The game's hub: what each message of a connected player does. After the
 * handshake the caller gets `GameInfo`; `Increment` and `BuyMultiplier` move
 * the player's standing in the current round, which belongs to the player,
 * not the connection. The hub reaches the current round through the narrow
 * {@linkcode HubGame}: by default the game of the server's round loop,
 * one object for the server's life.
 *
 * Every incoming frame is guarded: a record that breaks the protocol closes
 * only its own connection, with an error the client can show. The handshake
 * picks each connection's protocol (JSON or MessagePack), which every
 * message to it is then encoded in; a connection that negotiated stateful
 * reconnect skips messages its client sends again after a resume.
 *
 * @module
 */

import { roundLoop } from "../round_loop.ts";
import type { MoveResult, PlayerState } from "../game/game_state.ts";
import type { PurchaseResult } from "../game/rules.ts";
import type { VerifiedToken } from "../auth/tokens.ts";
import { type Connection, ConnectionRegistry, type Socket } from "./connections.ts";
import {
  checkHandshake,
  type ClientMessage,
  type Frame,
  HandshakeReader,
  handshakeText,
  type Invocation,
  type MessageReader,
  ProtocolError,
} from "./protocol.ts";
import { JSON_PROTOCOL } from "./json_protocol.ts";
import { MESSAGEPACK_PROTOCOL } from "./messagepack_protocol.ts";
import { ReplayBuffer } from "./replay_buffer.ts";
import {
  type ClientMethod,
  type ClientMethodArguments,
  CloseReason,
  type GameInfo,
  HubMethod,
  type LastRound,
  MessageType,
  type ScoreUpdate,
  type Standing,
  type Throttled,
} from "./wire.ts";
import { multiplierCost, START } from "../game/rules.ts";

/** A connection as the hub keeps it. */
export interface HubConnection extends Connection {
  readonly player: PlayerState;
  /** Reads the handshake; then `reader` reads the protocol's messages. */
  readonly handshake: HandshakeReader;
  reader: MessageReader;
  /** Whether it negotiated stateful reconnect over a transport that can resume. */
  readonly resumable: boolean;
  /** All-time wins when it connected, for `GameInfo`. */
  readonly nbWins: number;
  /** When it was last sent `Standing` (epoch ms). */
  standingSentAt: number;
  /** A `Standing` waiting for the gap after the last one. */
  standingTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Shortest gap between two `Standing` messages to one connection: a player
 * clicking flat out in one tab moves the others at most 20 times a second.
 */
export const STANDING_INTERVAL_MS = 50;

/** The completion error of a move the game could not take (it is kept elsewhere and out of reach). */
export const GAME_UNAVAILABLE = "The game is unavailable for a moment; try again";

/**
 * The current round as the hub uses it: players join and leave, click and buy,
 * and `GameInfo` and `Throttled` report the round and the click cap.
 */
export interface HubGame {
  /** The running round's id. */
  readonly roundId: number;
  /** When the running round ends (epoch ms). */
  readonly roundEndsAt: number;
  /** The per-player click cap. */
  readonly maxClicksPerSecond: number;
  /** The player's standing, shared by all their connections. */
  join(id: number, username: string, nowMs: number): PlayerState;
  /** One connection of the player closed. */
  leave(player: PlayerState): void;
  /**
   * A click, unless the click cap drops it. A game kept elsewhere (several
   * servers) answers with a promise; promises resolve in the order the moves
   * were made, and reject when the game can't be reached.
   */
  increment(player: PlayerState, nowMs: number): MoveResult | Promise<MoveResult>;
  /** A doubled multiplier for the score, or why not; a promise as for `increment`. */
  buyMultiplier(player: PlayerState): PurchaseResult | Promise<PurchaseResult>;
  /** The player's standing, as sent to them. */
  standing(player: PlayerState): MoveResult;
}

/** The protocols a handshake may ask for. */
const PROTOCOLS = [JSON_PROTOCOL, MESSAGEPACK_PROTOCOL];

/** How a new connection came to be: negotiated, or a WebSocket opened directly. */
export interface OpenOptions {
  /** The connection token it was negotiated with. */
  readonly token?: string;
  /** Whether it may resume after its socket is lost (stateful reconnect, WebSockets only). */
  readonly resumable?: boolean;
}

/** What {@linkcode Hub} needs. */
export interface HubOptions {
  /** The current round (default: the game of the server's round loop). */
  readonly game?: HubGame;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** Round length, reported in `GameInfo`. */
  readonly roundDurationMs: number;
  /** The last round announced, for `GameInfo` (default: the server's round loop's). */
  readonly lastRound?: () => LastRound | null;
  /** Where unexpected errors are reported (default `console.error`). */
  readonly logError?: (message: string) => void;
  /** Players online for `PlayerCount` (default: those connected here); see `ConnectionRegistry`. */
  readonly playersOnline?: () => number;
  /** How long a connection whose socket was lost may resume, in ms (default 30 s). */
  readonly reconnectWindowMs?: number;
  /** Bytes a resumable connection keeps of messages its client hasn't acknowledged (default 100 kB). */
  readonly replayBufferBytes?: number;
}

/** Connections and what their messages do. */
export class Hub {
  /** Every open connection. */
  readonly registry: ConnectionRegistry<HubConnection>;
  readonly #game: HubGame;
  readonly #now: () => number;
  readonly #roundDurationMs: number;
  readonly #logError: (message: string) => void;
  readonly #lastRound: () => LastRound | null;
  readonly #replayBufferBytes: number;
  #nextId = 0;

  constructor(options: HubOptions) {
    this.#game = options.game ?? roundLoop.game;
    this.#now = options.now ?? Date.now;
    this.#roundDurationMs = options.roundDurationMs;
    this.#logError = options.logError ?? console.error;
    this.#lastRound = options.lastRound ?? (() => roundLoop.lastRound);
    this.#replayBufferBytes = options.replayBufferBytes ?? 100_000;
    this.registry = new ConnectionRegistry<HubConnection>({
      now: this.#now,
      reconnectWindowMs: options.reconnectWindowMs,
      online: options.playersOnline,
      onRemove: (connection) => {
        clearTimeout(connection.standingTimer);
        this.#game.leave(connection.player);
      },
    });
  }

  /** Registers a new socket of a verified player; `nbWins` goes into `GameInfo`. */
  open(
    socket: Socket,
    user: VerifiedToken,
    nbWins: number,
    options: OpenOptions = {},
  ): HubConnection {
    const now = this.#now();
    const connection: HubConnection = {
      id: String(++this.#nextId),
      playerId: user.id,
      socket,
      protocol: JSON_PROTOCOL,
      token: options.token,
      resumable: options.resumable ?? false,
      expiresAt: user.expiresAt,
      lastSeen: now,
      ready: false,
      throttledAt: 0,
      player: this.#game.join(user.id, user.username, now),
      handshake: new HandshakeReader(),
      reader: JSON_PROTOCOL.newReader(),
      nbWins,
      standingSentAt: 0,
      standingTimer: undefined,
    };
    this.registry.add(connection);
    return connection;
  }

  /** Handles one message of a connection's transport: a text frame or a binary one. */
  message(connection: HubConnection, data: Frame | ArrayBuffer): void {
    if (this.registry.get(connection.id) !== connection) return;
    connection.lastSeen = this.#now();
    let frame = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    try {
      if (!connection.ready) {
        const found = connection.handshake.read(frame);
        if (found === undefined) return;
        this.#handshake(connection, found.record);
        // What followed the handshake in the same frame is in the chosen protocol.
        if (this.registry.get(connection.id) !== connection || found.rest.length === 0) return;
        frame = found.rest;
      }
      for (const message of connection.reader.read(frame)) {
        this.#handle(connection, connection.protocol.parse(message));
        if (this.registry.get(connection.id) !== connection) return;
      }
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.registry.close(connection, {
          error: error.message,
          reason: error.reason,
          code: error.closeCode,
        });
      } else {
        this.#logError(`Connection ${connection.id}: ${(error as Error)?.stack ?? error}`);
        this.registry.close(connection, {
          error: "Internal server error",
          reason: CloseReason.ServerError,
        });
      }
    }
  }

  /** The socket closed, from either side (only while `socket`, when given, is still its own). */
  closed(connection: HubConnection, socket?: Socket): void {
    this.registry.remove(connection, socket);
  }

  /** The socket was cut off without a close: a resumable connection waits for a new one. */
  lost(connection: HubConnection, socket: Socket): void {
    this.registry.lost(connection, socket);
  }

  /** A resumable connection goes on over a new socket. */
  resume(connection: HubConnection, socket: Socket): void {
    this.registry.resume(connection, socket);
  }

  /** Sends an invocation of a client method to every connected client. */
  broadcast<T extends ClientMethod>(target: T, argument: ClientMethodArguments[T]): void {
    this.registry.broadcast((protocol) => protocol.encodeInvocation(target, argument));
  }

  #handshake(connection: HubConnection, record: string): void {
    const chosen = checkHandshake(record, PROTOCOLS, { textOnly: connection.socket.textOnly });
    if (chosen.error !== undefined) {
      const { error } = chosen;
      connection.socket.send(handshakeText(error));
      this.registry.close(connection, { error, reason: CloseReason.HandshakeRefused });
      return;
    }
    const { protocol } = chosen;
    connection.protocol = protocol;
    connection.reader = protocol.newReader();
    connection.ready = true;
    const game = this.#game;
    const standing = game.standing(connection.player);
    this.registry.send(connection, protocol.encodeHandshake());
    // Numbering starts after the handshake answer, which is never replayed.
    if (connection.resumable && chosen.version >= 2) {
      connection.replay = new ReplayBuffer(this.#replayBufferBytes);
    }
    this.registry.send(
      connection,
      protocol.encodeInvocation(
        "GameInfo",
        {
          nbWins: connection.nbWins,
          multiplierCost: standing.multiplierCost,
          score: standing.score,
          multiplier: standing.multiplier,
          roundId: game.roundId,
          roundEndsAt: game.roundEndsAt,
          roundDurationMs: this.#roundDurationMs,
          serverTime: this.#now(),
          // The page takes the rules from here rather than repeating them.
          maxClicksPerSecond: game.maxClicksPerSecond,
          baseMultiplierCost: multiplierCost(START.multiplier),
          lastRound: this.#lastRound(),
        } satisfies GameInfo,
      ),
    );
    this.registry.sendCount(connection);
  }

  #handle(connection: HubConnection, message: ClientMessage): void {
    const replay = connection.replay;
    if (replay !== undefined && !replay.accept(message)) return;
    switch (message.type) {
      case MessageType.Invocation:
        return this.#invoke(connection, message);
      case MessageType.StreamInvocation:
        if (message.invocationId !== undefined) {
          this.registry.send(
            connection,
            connection.protocol.encodeError(
              message.invocationId,
              "Streaming hub methods are not supported",
            ),
          );
        }
        return;
      case MessageType.Close:
        this.registry.close(connection);
        return;
      case MessageType.Ack:
        replay?.ack(message.sequenceId);
        return;
      case MessageType.Sequence:
        replay?.restart(message.sequenceId);
        return;
      default:
        // Pings only keep the connection alive (lastSeen is already updated);
        // cancels and client results have nothing to act on.
        return;
    }
  }

  #invoke(connection: HubConnection, invocation: Invocation): void {
    const { invocationId, target } = invocation;
    const method = target === HubMethod.Increment || target === HubMethod.BuyMultiplier
      ? target
      : canonical(target);
    if (method === undefined) {
      this.#fail(connection, invocationId, `Unknown hub method '${target}'`);
      return;
    }
    if (invocation.arguments.length !== 0) {
      this.#fail(connection, invocationId, `${method} takes no arguments`);
      return;
    }
    const game = this.#game;
    if (method === HubMethod.Increment) {
      // The frame's arrival time, read once in message(): no second clock read per click.
      const now = connection.lastSeen;
      const result = game.increment(connection.player, now);
      if (result instanceof Promise) {
        result.then(
          (moved) =>
            this.#live(connection) && this.#incremented(connection, invocationId, moved, now),
          () => this.#live(connection) && this.#fail(connection, invocationId, GAME_UNAVAILABLE),
        );
        return;
      }
      this.#incremented(connection, invocationId, result, now);
      return;
    }
    const purchase = game.buyMultiplier(connection.player);
    if (purchase instanceof Promise) {
      purchase.then(
        (bought) => this.#live(connection) && this.#bought(connection, invocationId, bought),
        () => this.#live(connection) && this.#fail(connection, invocationId, GAME_UNAVAILABLE),
      );
      return;
    }
    this.#bought(connection, invocationId, purchase);
  }

  /** Whether the connection is still open (an asynchronous answer may come after it closed). */
  #live(connection: HubConnection): boolean {
    return this.registry.get(connection.id) === connection;
  }

  /** Answers a click: `Throttled` when the cap dropped it, the completion, the other tabs. */
  #incremented(
    connection: HubConnection,
    invocationId: string | undefined,
    result: MoveResult,
    now: number,
  ): void {
    if (!result.counted && now - connection.throttledAt >= 1000) {
      connection.throttledAt = now;
      const throttled = { maxClicksPerSecond: this.#game.maxClicksPerSecond } satisfies Throttled;
      this.registry.send(connection, connection.protocol.encodeInvocation("Throttled", throttled));
    }
    if (invocationId !== undefined) {
      const completion = connection.protocol.encodeResult(
        invocationId,
        result satisfies ScoreUpdate,
      );
      this.registry.send(connection, completion);
    }
    if (result.counted) this.#tellOtherConnections(connection, now);
  }

  /** Answers a purchase: the completion, or why not, and the other tabs. */
  #bought(
    connection: HubConnection,
    invocationId: string | undefined,
    purchase: PurchaseResult,
  ): void {
    if (!purchase.ok) {
      const score = connection.player.score;
      this.#fail(
        connection,
        invocationId,
        `Not enough points: the next multiplier costs ${purchase.cost}, you have ${score}`,
      );
      return;
    }
    if (invocationId !== undefined) {
      const standing = this.#game.standing(connection.player) satisfies ScoreUpdate;
      this.registry.send(connection, connection.protocol.encodeResult(invocationId, standing));
    }
    this.#tellOtherConnections(connection, connection.lastSeen);
  }

  /**
   * The player's standing moved through `source`: their other connections
   * get `Standing`, at once or, within {@linkcode STANDING_INTERVAL_MS} of
   * the last one, once that gap is over, with the standing as it is then.
   */
  #tellOtherConnections(source: HubConnection, now: number): void {
    const others = this.registry.connectionsOf(source.playerId);
    if (others.length < 2) return;
    for (const other of others) {
      if (other === source || !other.ready || other.standingTimer !== undefined) continue;
      const wait = other.standingSentAt + STANDING_INTERVAL_MS - now;
      if (wait <= 0) {
        this.#sendStanding(other, now);
        continue;
      }
      other.standingTimer = setTimeout(() => {
        other.standingTimer = undefined;
        if (this.registry.get(other.id) === other) this.#sendStanding(other, this.#now());
      }, wait);
    }
  }

  #sendStanding(connection: HubConnection, now: number): void {
    connection.standingSentAt = now;
    const standing = this.#game.standing(connection.player) satisfies Standing;
    this.registry.send(connection, connection.protocol.encodeInvocation("Standing", standing));
  }

  #fail(connection: HubConnection, invocationId: string | undefined, error: string): void {
    // Without an invocation id the client asked for no answer (`send`), as in ASP.NET Core.
    if (invocationId !== undefined) {
      this.registry.send(connection, connection.protocol.encodeError(invocationId, error));
    }
  }
}

/** Hub method names match regardless of case, as in ASP.NET Core. */
function canonical(target: string): HubMethod | undefined {
  switch (target.toLowerCase()) {
    case "increment":
      return HubMethod.Increment;
    case "buymultiplier":
      return HubMethod.BuyMultiplier;
    default:
      return undefined;
  }
}
