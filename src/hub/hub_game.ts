/**
 * The current round as the hub sees it: the one seam between the hub and
 * wherever the game is kept. In a single process that is the game of the
 * round loop (`single/round_loop.ts`); with several servers it is kept in
 * Redis and moves answer with promises (`cluster/cluster_game.ts`).
 *
 * @module
 */

import type { MoveResult, PlayerState } from "../game/game_state.ts";
import type { PurchaseResult } from "../game/rules.ts";
import type { RaceView } from "./race_watch.ts";

/**
 * A move a game kept elsewhere answers later: told once, `done` with the
 * outcome or `failed` when the game can't be reached. Neither throws.
 */
export interface PendingMove<T> {
  done(outcome: T): void;
  failed(error: unknown): void;
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
  /**
   * Fetches the player's standing ahead of `join`, where it is kept
   * elsewhere (several servers), so the `GameInfo` of a connection that
   * opens next says the true score. Never rejects; a game in memory has
   * nothing to fetch and leaves it out.
   */
  prepare?(id: number): Promise<void>;
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
  /**
   * A doubled multiplier for the score, or why not, at `nowMs` (the new
   * score's time in the race); a promise as for `increment`.
   */
  buyMultiplier(player: PlayerState, nowMs?: number): PurchaseResult | Promise<PurchaseResult>;
  /**
   * The click of `increment`, answered through `pending` rather than a
   * promise, where the game offers it (several servers): a flood keeps
   * thousands of clicks in flight, and a promise chain for each would
   * outlive young-generation collections. Answered in the order moves were
   * made, along with those of `buyMultiplierLater`.
   */
  incrementLater?(player: PlayerState, nowMs: number, pending: PendingMove<MoveResult>): void;
  /** The purchase of `buyMultiplier`, answered through `pending`, as `incrementLater`. */
  buyMultiplierLater?(
    player: PlayerState,
    nowMs: number,
    pending: PendingMove<PurchaseResult>,
  ): void;
  /** The round's race for `WatchRace`; absent, watchers see nobody in it. */
  readonly race?: RaceView;
  /** The player's standing, as sent to them. */
  standing(player: PlayerState): MoveResult;
}
