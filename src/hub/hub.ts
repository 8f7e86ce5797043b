/**
 * The game's hub: what each message of a connected player does. After the
 * handshake the caller gets `GameInfo`; `Increment` and `BuyMultiplier` move
 * the player's standing in the current round, which belongs to the player,
 * not the connection. The hub takes the current round from the round loop
 * (the server's singleton by default).
 *
 * Every incoming frame is guarded: a record that breaks the protocol closes
 * only its own connection, with an error the client can show.
 *
 * @module
 */

import { type RoundLoop, roundLoop } from "../round_loop.ts";
import type { PlayerState } from "../game/game_state.ts";
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
  MessageType,
  parseMessage,
  ProtocolError,
  RecordReader,
} from "./protocol.ts";

/** A connection as the hub keeps it. */
export interface HubConnection extends Connection {
  readonly player: PlayerState;
  readonly reader: RecordReader;
  /** All-time wins when it connected, for `GameInfo`. */
  readonly nbWins: number;
}

/** What {@linkcode Hub} needs. */
export interface HubOptions {
  /** The round loop holding the current round (default: the server's singleton). */
  readonly loop?: RoundLoop;
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
  readonly #loop: RoundLoop;
  readonly #now: () => number;
  readonly #roundDurationMs: number;
  readonly #logError: (message: string) => void;
  #nextId = 0;

  constructor(options: HubOptions) {
    this.#loop = options.loop ?? roundLoop;
    this.#now = options.now ?? Date.now;
    this.#roundDurationMs = options.roundDurationMs;
    this.#logError = options.logError ?? console.error;
    this.registry = new ConnectionRegistry<HubConnection>({
      now: this.#now,
      onRemove: (connection) => this.#loop.game.leave(connection.player),
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
      player: this.#loop.game.join(user.id, user.username, now),
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
      this.registry.close(connection, "Binary messages are not supported: use the JSON protocol");
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
        this.registry.close(connection, error.message, error.closeCode);
      } else {
        this.#logError(`Connection ${connection.id}: ${(error as Error)?.stack ?? error}`);
        this.registry.close(connection, "Internal server error");
      }
    }
  }

  /** The socket closed, from either side. */
  closed(connection: HubConnection): void {
    this.registry.remove(connection);
  }

  /** Sends an invocation of a client method to every connected client. */
  broadcast(target: string, argument: unknown): void {
    this.registry.broadcast(encodeInvocation(target, argument));
  }

  #handshake(connection: HubConnection, record: string): void {
    const error = checkHandshake(record);
    if (error !== undefined) {
      connection.socket.send(encodeHandshake(error));
      this.registry.close(connection, error);
      return;
    }
    connection.ready = true;
    const game = this.#loop.game;
    const standing = game.standing(connection.player);
    this.registry.send(connection, encodeHandshake());
    this.registry.send(
      connection,
      encodeInvocation("GameInfo", {
        nbWins: connection.nbWins,
        multiplierCost: standing.multiplierCost,
        score: standing.score,
        multiplier: standing.multiplier,
        roundId: game.roundId,
        roundEndsAt: game.roundEndsAt,
        roundDurationMs: this.#roundDurationMs,
        serverTime: this.#now(),
      }),
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
    const method = target === "Increment" || target === "BuyMultiplier"
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
    const game = this.#loop.game;
    if (method === "Increment") {
      // The frame's arrival time, read once in message(): no second clock read per click.
      const now = connection.lastSeen;
      const result = game.increment(connection.player, now);
      if (!result.counted && now - connection.throttledAt >= 1000) {
        connection.throttledAt = now;
        this.registry.send(
          connection,
          encodeInvocation("Throttled", { maxClicksPerSecond: game.maxClicksPerSecond }),
        );
      }
      if (invocationId !== undefined) {
        this.registry.send(connection, encodeResult(invocationId, result));
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
      this.registry.send(connection, encodeResult(invocationId, game.standing(connection.player)));
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
function canonical(target: string): "Increment" | "BuyMultiplier" | undefined {
  switch (target.toLowerCase()) {
    case "increment":
      return "Increment";
    case "buymultiplier":
      return "BuyMultiplier";
    default:
      return undefined;
  }
}
