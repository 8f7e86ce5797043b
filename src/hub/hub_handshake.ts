/**
 * The hub's answer to a connection's handshake. A record that isn't JSON,
 * or asks for a protocol or version the server doesn't speak over this
 * transport, is refused in JSON text and the connection closed. Otherwise
 * the connection speaks the chosen protocol (JSON or MessagePack) from then
 * on, a resumable one that asked for version 2 starts numbering its
 * messages for stateful reconnect, and the caller is told where it stands:
 * `GameInfo` (its standing and wins, the round and its clock, the rules, the
 * last result), then `PlayerCount`.
 *
 * @module
 */

import type { PlayerState } from "../game/game_state.ts";
import { multiplierCost, START } from "../game/rules.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connections.ts";
import type { HubGame } from "./hub_game.ts";
import { checkHandshake, handshakeText, type MessageReader } from "./protocol.ts";
import { JSON_PROTOCOL } from "./json_protocol.ts";
import { MESSAGEPACK_PROTOCOL } from "./messagepack_protocol.ts";
import { ReplayBuffer } from "./replay_buffer.ts";
import { CloseReason, type GameInfo, type LastRound } from "./wire.ts";

/** The protocols a handshake may ask for. */
const PROTOCOLS = [JSON_PROTOCOL, MESSAGEPACK_PROTOCOL];

/** What a connection keeps for {@linkcode HubHandshake}. */
export interface HandshakeConnection extends Connection {
  /** Whose standing `GameInfo` tells. */
  readonly player: PlayerState;
  /** Reads the protocol's messages once the handshake chose it. */
  reader: MessageReader;
  /** Whether it negotiated stateful reconnect over a transport that can resume. */
  readonly resumable: boolean;
  /** All-time wins when it connected, for `GameInfo`. */
  readonly nbWins: number;
}

/** What {@linkcode HubHandshake} needs. */
export interface HubHandshakeOptions<C extends HandshakeConnection> {
  /** The open connections: answers go out, and refused connections close, here. */
  readonly registry: Pick<ConnectionRegistry<C>, "send" | "close" | "sendCount">;
  /** The current round, for `GameInfo`. */
  readonly game: Pick<HubGame, "standing" | "roundId" | "roundEndsAt" | "maxClicksPerSecond">;
  /** Reads the clock, for `GameInfo`'s `serverTime`. */
  readonly now: () => number;
  /** Round length, reported in `GameInfo`. */
  readonly roundDurationMs: number;
  /** The last round announced, for `GameInfo`. */
  readonly lastRound: () => LastRound | null;
  /** Bytes a resumable connection keeps of messages its client hasn't acknowledged. */
  readonly replayBufferBytes: number;
}

/** Answers handshakes: the chosen protocol, then `GameInfo` and `PlayerCount`; or a refusal. */
export class HubHandshake<C extends HandshakeConnection> {
  readonly #options: HubHandshakeOptions<C>;

  constructor(options: HubHandshakeOptions<C>) {
    this.#options = options;
  }

  /** Answers the handshake `record` of `connection`, which is not yet ready. */
  answer(connection: C, record: string): void {
    const { registry, game } = this.#options;
    const chosen = checkHandshake(record, PROTOCOLS, { textOnly: connection.socket.textOnly });
    if (chosen.error !== undefined) {
      const { error } = chosen;
      connection.socket.send(handshakeText(error));
      registry.close(connection, { error, reason: CloseReason.HandshakeRefused });
      return;
    }
    const { protocol } = chosen;
    connection.protocol = protocol;
    connection.reader = protocol.newReader();
    connection.ready = true;
    const standing = game.standing(connection.player);
    registry.send(connection, protocol.encodeHandshake());
    // Numbering starts after the handshake answer, which is never replayed.
    if (connection.resumable && chosen.version >= 2) {
      connection.replay = new ReplayBuffer(this.#options.replayBufferBytes);
      // What follows waits for the client to speak (`ConnectionRegistry.release`).
      connection.heldAt = this.#options.now();
    }
    registry.send(
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
          roundDurationMs: this.#options.roundDurationMs,
          serverTime: this.#options.now(),
          // The page takes the rules from here rather than repeating them.
          maxClicksPerSecond: game.maxClicksPerSecond,
          baseMultiplierCost: multiplierCost(START.multiplier),
          lastRound: this.#options.lastRound(),
        } satisfies GameInfo,
      ),
    );
    registry.sendCount(connection);
  }
}
