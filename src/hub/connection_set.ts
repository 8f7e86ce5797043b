/**
 * The open connections, found three ways: by id, by player (oldest first)
 * and by the connection token a negotiated one was given. Bookkeeping only:
 * nothing here sends or closes.
 *
 * @module
 */

import type { Connection } from "./connection.ts";

/** Open connections by id, by player and by connection token. */
export class ConnectionSet<C extends Connection> {
  readonly #byId = new Map<string, C>();
  readonly #byPlayer = new Map<number, C[]>();
  readonly #byToken = new Map<string, C>();

  /** Open connections. */
  get size(): number {
    return this.#byId.size;
  }

  /** Players with at least one connection. */
  get players(): number {
    return this.#byPlayer.size;
  }

  /** The connection with this id. */
  get(id: string): C | undefined {
    return this.#byId.get(id);
  }

  /** The connection negotiated with this connection token. */
  byToken(token: string): C | undefined {
    return this.#byToken.get(token);
  }

  /** The connections of a player, oldest first. */
  of(playerId: number): readonly C[] {
    return this.#byPlayer.get(playerId) ?? [];
  }

  /** Every connection, oldest first. */
  values(): IterableIterator<C> {
    return this.#byId.values();
  }

  /** Adds a connection by id and token only: it isn't yet one of its player's. */
  add(connection: C): void {
    this.#byId.set(connection.id, connection);
    if (connection.token !== undefined) this.#byToken.set(connection.token, connection);
  }

  /** Counts a connection added with {@linkcode add} as its player's; returns the player's list. */
  addToPlayer(connection: C): readonly C[] {
    let list = this.#byPlayer.get(connection.playerId);
    if (!list) this.#byPlayer.set(connection.playerId, list = []);
    list.push(connection);
    return list;
  }

  /** Removes a connection; `false` when it was not there. */
  delete(connection: C): boolean {
    if (!this.#byId.delete(connection.id)) return false;
    if (connection.token !== undefined) this.#byToken.delete(connection.token);
    const list = this.#byPlayer.get(connection.playerId);
    if (list) {
      const index = list.indexOf(connection);
      if (index !== -1) list.splice(index, 1);
      if (list.length === 0) this.#byPlayer.delete(connection.playerId);
    }
    return true;
  }
}
