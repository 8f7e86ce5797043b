/**
 * The game's hub: where every message of a connected player arrives. A
 * connection opens on a verified player's socket; its handshake is answered
 * with the chosen protocol and `GameInfo` (`hub_handshake.ts`); then each
 * record is acted on by its type, and invocations of `Increment` and
 * `BuyMultiplier` go to the hub's methods (`hub_methods.ts`), whose moves
 * reach the player's other connections as `Standing` (`standing_sync.ts`).
 * The hub reaches the current round through the narrow {@linkcode HubGame}
 * it is given: the game of the round loop in a single process, one object
 * for the server's life, or the game kept in Redis with several servers.
 *
 * Every incoming frame is guarded: a record that breaks the protocol closes
 * only its own connection, with an error the client can show. Every message
 * to a connection is encoded in the protocol its handshake chose; one that
 * negotiated stateful reconnect skips messages its client sends again after
 * a resume.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { VerifiedToken } from "../auth/tokens.ts";
import { type BroadcastOptions, ConnectionRegistry, type Socket } from "./connections.ts";
import { type ClientMessage, type Frame, HandshakeReader, ProtocolError } from "./protocol.ts";
import { JSON_PROTOCOL } from "./json_protocol.ts";
import type { HubGame } from "./hub_game.ts";
import { type HandshakeConnection, HubHandshake } from "./hub_handshake.ts";
import { HubMethods } from "./hub_methods.ts";
import { type StandingConnection, StandingSync } from "./standing_sync.ts";
import { RaceRanking } from "../game/race_ranking.ts";
import { type RaceView, RaceWatch } from "./race_watch.ts";
import {
  type ClientMethod,
  type ClientMethodArguments,
  CloseReason,
  type LastRound,
  MessageType,
} from "./wire.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import { errorMessage, errorStack } from "../log/error_message.ts";
import { HubCounts } from "../metrics/hub_counts.ts";
import { type Schedule, scheduleOn, type Sleep } from "../sleep.ts";

const log = getLogger(["clicker", "hub"]);

/** What every log line about `connection` says. */
function connectionFields(connection: HubConnection): Record<string, unknown> {
  return {
    connectionId: connection.id,
    player: connection.player.username,
    transport: connection.socket.transport ?? "webSockets",
  };
}

/** A connection as the hub keeps it. */
export interface HubConnection extends HandshakeConnection, StandingConnection {
  /** Reads the handshake; then `reader` reads the protocol's messages. */
  readonly handshake: HandshakeReader;
  /** When it opened (epoch ms), for the log. */
  readonly openedAt: number;
}

/** How a new connection came to be: negotiated, or a WebSocket opened directly. */
export interface OpenOptions {
  /** The connection token it was negotiated with. */
  readonly token?: string;
  /** Whether it may resume after its socket is lost (stateful reconnect, WebSockets only). */
  readonly resumable?: boolean;
}

/** What {@linkcode Hub} needs. */
export interface HubOptions {
  /** The current round: the round loop's game, or the game kept in Redis. */
  readonly game: HubGame;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /**
   * The hub's waits: the keep-alive's ticks, the `Race` and `Standing`
   * throttles (default plain timers); tests drive them with `now`.
   */
  readonly sleep?: Sleep;
  /** Round length, reported in `GameInfo`. */
  readonly roundDurationMs: number;
  /** The last round announced, for `GameInfo`. */
  readonly lastRound: () => LastRound | null;
  /** Where unexpected errors are reported (default: the `clicker` logger). */
  readonly log?: ProblemLog;
  /** Players online for `PlayerCount` (default: those connected here); see `ConnectionRegistry`. */
  readonly playersOnline?: () => number;
  /** How long a connection whose socket was lost may resume, in ms (default 30 s). */
  readonly reconnectWindowMs?: number;
  /** Bytes a resumable connection keeps of messages its client hasn't acknowledged (default 100 kB). */
  readonly replayBufferBytes?: number;
  /** Where messages, clicks, purchases and connections are counted (default: a count of its own). */
  readonly counts?: HubCounts;
  /** Runs a later pass of `Race` messages (default: after `sleep`); tests drive it. */
  readonly raceSchedule?: Schedule;
}

/** Connections and what their messages do. */
export class Hub {
  /** Every open connection. */
  readonly registry: ConnectionRegistry<HubConnection>;
  /** What this hub counted since start, for the metrics. */
  readonly counts: HubCounts;
  readonly #game: HubGame;
  readonly #now: () => number;
  readonly #log: ProblemLog;
  readonly #handshake: HubHandshake<HubConnection>;
  readonly #methods: HubMethods<HubConnection>;
  readonly #standing: StandingSync<HubConnection>;
  readonly #race: RaceWatch<HubConnection>;
  #nextId = 0;

  constructor(options: HubOptions) {
    this.#game = options.game;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? log;
    const counts = this.counts = options.counts ?? new HubCounts();
    this.registry = new ConnectionRegistry<HubConnection>({
      counts,
      now: this.#now,
      sleep: options.sleep,
      reconnectWindowMs: options.reconnectWindowMs,
      online: options.playersOnline,
      onRemove: (connection) => {
        this.#standing.forget(connection);
        this.#race.forget(connection);
        this.#game.leave(connection.player);
        counts.closed(connection.closeReason ?? "gone");
        log.info("connection closed", {
          ...connectionFields(connection),
          protocol: connection.protocol.name,
          reason: connection.closeReason ?? "gone",
          durationMs: this.#now() - connection.openedAt,
        });
      },
    });
    this.#handshake = new HubHandshake({
      registry: this.registry,
      game: this.#game,
      now: this.#now,
      roundDurationMs: options.roundDurationMs,
      lastRound: options.lastRound,
      replayBufferBytes: options.replayBufferBytes ?? 100_000,
    });
    const later = options.sleep === undefined ? undefined : scheduleOn(options.sleep);
    this.#standing = new StandingSync({
      registry: this.registry,
      game: this.#game,
      now: this.#now,
      schedule: later,
    });
    const nobody: RaceView = new RaceRanking();
    this.#race = new RaceWatch({
      registry: this.registry,
      race: () => {
        const view = this.#game.race ?? nobody;
        return { roundId: view.roundId ?? this.#game.roundId, view };
      },
      now: this.#now,
      schedule: options.raceSchedule ?? later,
    });
    this.#methods = new HubMethods({
      registry: this.registry,
      game: this.#game,
      moved: (connection, now) => {
        this.#standing.moved(connection, now);
        this.#race.changed();
      },
      watchRace: (connection) => this.#race.watch(connection),
      counts,
      log: this.#log,
    });
  }

  /** The player's standing moved on another server: their connections here get `Standing`. */
  standingMovedElsewhere(playerId: number): void {
    this.#standing.movedElsewhere(playerId, this.#now());
  }

  /** The race changed outside this hub's moves (a new round, the shared race read anew). */
  raceChanged(): void {
    this.#race.changed();
  }

  /** The players of the connections that watch the race. */
  racePlayers(): Iterable<number> {
    return this.#race.players();
  }

  /** Readies the player's standing for a connection about to open (see `HubGame.prepare`). */
  prepare(playerId: number): Promise<void> {
    return this.#game.prepare?.(playerId) ?? Promise.resolve();
  }

  /** Registers a new socket of a verified player; `nbWins` goes into `GameInfo`. */
  open(
    socket: Socket,
    user: VerifiedToken,
    nbWins: number,
    options: OpenOptions = {},
  ): HubConnection {
    const now = this.#now();
    // The oldest over the limit leaves the game before this one joins it.
    this.registry.makeRoom(user.id);
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
      openedAt: now,
    };
    this.registry.add(connection);
    this.counts.connectionsOpened++;
    log.info("connection opened", connectionFields(connection));
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
        this.#handshake.answer(connection, found.record);
        // What followed the handshake in the same frame is in the chosen protocol.
        if (this.registry.get(connection.id) !== connection || found.rest.length === 0) return;
        frame = found.rest;
      }
      // A resumable connection's first message after the handshake: it counts now.
      this.registry.release(connection);
      for (const message of connection.reader.read(frame)) {
        this.counts.messagesIn++;
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
        this.#log.error("Cannot handle message", {
          ...connectionFields(connection),
          error: errorMessage(error),
          stack: errorStack(error),
        });
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

  /**
   * Sends an invocation of a client method to every connected client;
   * `options.sent` is called once it is written to all of them.
   */
  broadcast<T extends ClientMethod>(
    target: T,
    argument: ClientMethodArguments[T],
    options?: BroadcastOptions,
  ): void {
    this.registry.broadcast((protocol) => protocol.encodeInvocation(target, argument), options);
    // A new round starts an empty race.
    if (target === "EndRound") this.#race.changed();
  }

  #handle(connection: HubConnection, message: ClientMessage): void {
    const replay = connection.replay;
    if (replay !== undefined && !replay.accept(message)) return;
    switch (message.type) {
      case MessageType.Invocation:
        return this.#methods.invoke(connection, message);
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
}
