/**
 * The game's hub: what each message of a connected player does. After the
 * handshake the caller gets `GameInfo`; `Increment` and `BuyMultiplier` move
 * the player's standing in the current round, which belongs to the player,
 * not the connection. The hub reaches the current round through the narrow
 * {@linkcode HubGame}: by default the game of the server's round loop,
 * one object for the server's life.
 *
 * Every incoming frame is guarded: a record that breaks the protocol closes
 * only its own connection, with an error the client can show.
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
  encodeError,
  encodeHandshake,
  encodeInvocation,
  encodeResult,
  type Invocation,
  parseMessage,
  ProtocolError,
  RecordReader,
} from "./protocol.ts";
import {
  type ClientMethod,
  type ClientMethodArguments,
  CloseReason,
  type GameInfo,
  HubMethod,
  MessageType,
  type ScoreUpdate,
  type Throttled,
} from "./wire.ts";
import { multiplierCost, START } from "../game/rules.ts";

/** A connection as the hub keeps it. */
export interface HubConnection extends Connection {
  readonly player: PlayerState;
  readonly reader: RecordReader;
  /** All-time wins when it connected, for `GameInfo`. */
  readonly nbWins: number;
}

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
  /** A click, unless the click cap drops it. */
  increment(player: PlayerState, nowMs: number): MoveResult;
  /** A doubled multiplier for the score, or why not. */
  buyMultiplier(player: PlayerState): PurchaseResult;
  /** The player's standing, as sent to them. */
  standing(player: PlayerState): MoveResult;
}

/** What {@linkcode Hub} needs. */
export interface HubOptions {
  /** The current round (default: the game of the server's round loop). */
  readonly game?: HubGame;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** Round length, reported in `GameInfo`. */
  readonly roundDurationMs: number;
  /** Where unexpected errors are reported (default `console.error`). */
  readonly logError?: (message: string) => void;
}

/** Connections and what their messages do. */
export class Hub {
  /** Every open connection. */
  readonly registry: ConnectionRegistry<HubConnection>;
  readonly #game: HubGame;
  readonly #now: () => number;
  readonly #roundDurationMs: number;
  readonly #logError: (message: string) => void;
  #nextId = 0;

  constructor(options: HubOptions) {
    this.#game = options.game ?? roundLoop.game;
    this.#now = options.now ?? Date.now;
    this.#roundDurationMs = options.roundDurationMs;
    this.#logError = options.logError ?? console.error;
    this.registry = new ConnectionRegistry<HubConnection>({
      now: this.#now,
      onRemove: (connection) => this.#game.leave(connection.player),
    });
  }

  /** Registers a new socket of a verified player; `nbWins` goes into `GameInfo`. */
  open(socket: Socket, user: VerifiedToken, nbWins: number): HubConnection {
    const now = this.#now();
    const connection: HubConnection = {
      id: String(++this.#nextId),
      playerId: user.id,
      socket,
      expiresAt: user.expiresAt,
      lastSeen: now,
      ready: false,
      throttledAt: 0,
      player: this.#game.join(user.id, user.username, now),
      reader: new RecordReader(),
      nbWins,
    };
    this.registry.add(connection);
    return connection;
  }

  /** Handles one WebSocket message from a connection. */
  message(connection: HubConnection, data: unknown): void {
    if (this.registry.get(connection.id) !== connection) return;
    connection.lastSeen = this.#now();
    if (typeof data !== "string") {
      this.registry.close(connection, {
        error: "Binary messages are not supported: use the JSON protocol",
        reason: CloseReason.ProtocolError,
      });
      return;
    }
    try {
      for (const record of connection.reader.read(data)) {
        if (connection.ready) this.#handle(connection, record);
        else this.#handshake(connection, record);
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

  /** The socket closed, from either side. */
  closed(connection: HubConnection): void {
    this.registry.remove(connection);
  }

  /** Sends an invocation of a client method to every connected client. */
  broadcast<T extends ClientMethod>(target: T, argument: ClientMethodArguments[T]): void {
    this.registry.broadcast(encodeInvocation(target, argument));
  }

  #handshake(connection: HubConnection, record: string): void {
    const error = checkHandshake(record);
    if (error !== undefined) {
      connection.socket.send(encodeHandshake(error));
      this.registry.close(connection, { error, reason: CloseReason.HandshakeRefused });
      return;
    }
    connection.ready = true;
    const game = this.#game;
    const standing = game.standing(connection.player);
    this.registry.send(connection, encodeHandshake());
    this.registry.send(
      connection,
      encodeInvocation(
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
        } satisfies GameInfo,
      ),
    );
    this.registry.sendCount(connection);
  }

  #handle(connection: HubConnection, record: string): void {
    const message: ClientMessage = parseMessage(record);
    switch (message.type) {
      case MessageType.Invocation:
        return this.#invoke(connection, message);
      case MessageType.StreamInvocation:
        if (message.invocationId !== undefined) {
          this.registry.send(
            connection,
            encodeError(message.invocationId, "Streaming hub methods are not supported"),
          );
        }
        return;
      case MessageType.Close:
        this.registry.close(connection);
        return;
      default:
        // Pings only keep the connection alive (lastSeen is already updated);
        // acks, sequences, cancels and client results have nothing to act on.
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
      if (!result.counted && now - connection.throttledAt >= 1000) {
        connection.throttledAt = now;
        const throttled = { maxClicksPerSecond: game.maxClicksPerSecond } satisfies Throttled;
        this.registry.send(connection, encodeInvocation("Throttled", throttled));
      }
      if (invocationId !== undefined) {
        this.registry.send(connection, encodeResult(invocationId, result satisfies ScoreUpdate));
      }
      return;
    }
    const purchase = game.buyMultiplier(connection.player);
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
      const standing = game.standing(connection.player) satisfies ScoreUpdate;
      this.registry.send(connection, encodeResult(invocationId, standing));
    }
  }

  #fail(connection: HubConnection, invocationId: string | undefined, error: string): void {
    // Without an invocation id the client asked for no answer (`send`), as in ASP.NET Core.
    if (invocationId !== undefined) {
      this.registry.send(connection, encodeError(invocationId, error));
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
