/**
 * Keeps a player's tabs in step. A standing belongs to the player, not the
 * connection, so when a click or a purchase on one connection moves it, the
 * player's other connections are sent `Standing`. A player clicking flat out
 * would otherwise flood every other tab: each connection gets at most one
 * `Standing` per {@linkcode STANDING_INTERVAL_MS}, and one that comes within
 * that gap waits for its end and carries the standing as it is by then.
 *
 * @module
 */

import type { PlayerState } from "../game/game_state.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connections.ts";
import type { HubGame } from "./hub_game.ts";
import type { Standing } from "./wire.ts";
import { type Schedule, timerSchedule } from "../sleep.ts";

/**
 * Shortest gap between two `Standing` messages to one connection: a player
 * clicking flat out in one tab moves the others at most 20 times a second.
 */
export const STANDING_INTERVAL_MS = 50;

/** What a connection keeps for {@linkcode StandingSync}. */
export interface StandingConnection extends Connection {
  /** Whose standing it shows. */
  readonly player: PlayerState;
  /** When it was last sent `Standing` (epoch ms). */
  standingSentAt: number;
  /** Cancels a `Standing` waiting for the gap after the last one. */
  standingTimer: (() => void) | undefined;
}

/** What {@linkcode StandingSync} needs. */
export interface StandingSyncOptions<C extends StandingConnection> {
  /** The open connections: the player's others are found, and sent to, here. */
  readonly registry: Pick<ConnectionRegistry<C>, "connectionsOf" | "get" | "send">;
  /** Where the standing is read when it goes out. */
  readonly game: Pick<HubGame, "standing">;
  /** Reads the clock when a waiting `Standing` goes out. */
  readonly now: () => number;
  /** Sends a waiting `Standing` later (default: a timer); tests drive it. */
  readonly schedule?: Schedule;
}

/** Sends `Standing` to a player's other connections, at most one per interval each. */
export class StandingSync<C extends StandingConnection> {
  readonly #registry: StandingSyncOptions<C>["registry"];
  readonly #game: Pick<HubGame, "standing">;
  readonly #now: () => number;
  readonly #schedule: Schedule;

  constructor(options: StandingSyncOptions<C>) {
    this.#registry = options.registry;
    this.#game = options.game;
    this.#now = options.now;
    this.#schedule = options.schedule ?? timerSchedule;
  }

  /**
   * The player's standing moved through `source`: their other connections
   * get `Standing`, at once or, within {@linkcode STANDING_INTERVAL_MS} of
   * the last one, once that gap is over, with the standing as it is then.
   */
  moved(source: C, now: number): void {
    const others = this.#registry.connectionsOf(source.playerId);
    if (others.length < 2) return;
    this.#tell(others, source, now);
  }

  /**
   * The player's standing moved on another server: all their connections
   * here get `Standing`, as for {@linkcode moved}.
   */
  movedElsewhere(playerId: number, now: number): void {
    this.#tell(this.#registry.connectionsOf(playerId), undefined, now);
  }

  #tell(connections: readonly C[], source: C | undefined, now: number): void {
    for (const other of connections) {
      if (other === source || !other.ready || other.standingTimer !== undefined) continue;
      const wait = other.standingSentAt + STANDING_INTERVAL_MS - now;
      if (wait <= 0) {
        this.#send(other, now);
        continue;
      }
      other.standingTimer = this.#schedule(() => {
        other.standingTimer = undefined;
        if (this.#registry.get(other.id) === other) this.#send(other, this.#now());
      }, wait);
    }
  }

  /** The connection left: a `Standing` waiting for it is dropped. */
  forget(connection: C): void {
    connection.standingTimer?.();
    connection.standingTimer = undefined;
  }

  #send(connection: C, now: number): void {
    connection.standingSentAt = now;
    const standing = this.#game.standing(connection.player) satisfies Standing;
    this.#registry.send(connection, connection.protocol.encodeInvocation("Standing", standing));
  }
}
