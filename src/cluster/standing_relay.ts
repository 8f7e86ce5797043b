/**
 * Keeps a player's tabs in step across servers. A move (click or purchase)
 * on this server reaches the player's other connections here through the
 * hub; for a player who also has connections on other servers (known from
 * the presence heartbeat), those servers are told too, through their kick
 * streams, which each server already reads: an entry `moved` with the ids
 * of the players that moved. The reader fetches those standings from Redis
 * and sends its connections `Standing`.
 *
 * Coalesced: at most one entry per server per {@linkcode RELAY_INTERVAL_MS},
 * carrying every player that moved meanwhile, so a player clicking flat out
 * costs each other server 20 entries a second, not one per click.
 *
 * @module
 */

import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";

/** Shortest gap between two flushes of the players that moved. */
export const RELAY_INTERVAL_MS = 50;

/** What {@linkcode StandingRelay} needs. */
export interface StandingRelayDeps {
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  /** The other servers where the player has connections too. */
  readonly elsewhere: (playerId: number) => readonly string[];
  /** Reads the clock (epoch ms). */
  readonly now?: () => number;
}

/** Tells other servers which of their players moved here. */
export class StandingRelay {
  readonly #deps: StandingRelayDeps;
  readonly #now: () => number;
  readonly #moved = new Set<number>();
  #flushedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(deps: StandingRelayDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** The player's standing moved on this server. */
  moved(playerId: number): void {
    if (this.#stopped || this.#deps.elsewhere(playerId).length === 0) return;
    this.#moved.add(playerId);
    if (this.#timer !== undefined) return;
    const wait = this.#flushedAt + RELAY_INTERVAL_MS - this.#now();
    if (wait <= 0) {
      this.#flush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, wait);
  }

  /** Drops what waits; moves from here on are not relayed. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#moved.clear();
  }

  #flush(): void {
    this.#flushedAt = this.#now();
    const byServer = new Map<string, number[]>();
    for (const playerId of this.#moved) {
      for (const server of this.#deps.elsewhere(playerId)) {
        const ids = byServer.get(server) ?? [];
        ids.push(playerId);
        byServer.set(server, ids);
      }
    }
    this.#moved.clear();
    const { redis, keys } = this.#deps;
    for (const [server, ids] of byServer) {
      const stream = keys.kicks + server;
      // Best effort: with Redis down, the tabs agree again at the next move made in each.
      redis.call("XADD", stream, "MAXLEN", "~", 100, "*", "moved", ids.join(","))
        .then(() => redis.call("PEXPIRE", stream, 60_000))
        .catch(() => {});
    }
  }
}
