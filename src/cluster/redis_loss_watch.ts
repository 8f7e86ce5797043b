/**
 * Each server's watch on Redis losing its data: it compares Redis's epoch
 * with the one it knows every heartbeat, at once when a click is refused for
 * it, and writes back what it holds after every reconnection (a replica
 * promoted without the last writes keeps the epoch but not the standings;
 * writing back never lowers a newer standing, so it is safe when nothing
 * was lost). A loss is logged in one line naming the round, and kept for
 * `/healthz`.
 *
 * @module
 */

import type { RoundGrid } from "../game/round_clock.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { readEpoch, repairRedis } from "./redis_epoch.ts";
import { type HeldGame, planRepair } from "./repair_plan.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import { errorMessage } from "../log/error_message.ts";
import { getLogger } from "@logtape/logtape";

/** The last loss of Redis data this server saw, for `/healthz`. */
export interface RedisLoss {
  /** Losses seen since this server started. */
  readonly count: number;
  /** When the last one was seen (epoch ms). */
  readonly at: number;
  /** The round in progress written back. */
  readonly roundId: number;
  /** Whether this server's part is written back (false: it tries again). */
  readonly repaired: boolean;
  /** Standings this server wrote back, newer than what Redis held. */
  readonly standingsRestored: number;
}

/** Options of {@linkcode RedisLossWatch}. */
export interface RedisLossWatchOptions {
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  readonly serverId: string;
  readonly grid: RoundGrid;
  /** The epoch Redis held when this server joined. */
  readonly epoch: string;
  /** What this server holds of the game now. */
  readonly held: () => HeldGame;
  /** The highest round id PostgreSQL holds. */
  readonly lastRecorded: () => Promise<number>;
  /** Where a loss is reported (default: the `clicker.cluster` logger). */
  readonly log?: ProblemLog;
  /** How often the epoch is compared, in ms (default 500, the presence heartbeat). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** Finds a Redis that lost its data, and writes back this server's part of the game. */
export class RedisLossWatch {
  readonly #options: RedisLossWatchOptions;
  readonly #now: () => number;
  #known: string;
  #loss: RedisLoss | null = null;
  #failing = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #writeBack = false;
  #stopped = false;
  readonly #onReady = () => void this.check({ writeBack: true });

  constructor(options: RedisLossWatchOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#known = options.epoch;
  }

  /** The epoch of Redis this server knows (scripts refuse any other). */
  get epoch(): string {
    return this.#known;
  }

  /** The last loss seen, or null. */
  get loss(): RedisLoss | null {
    return this.#loss;
  }

  /** Compares the epoch every interval, and writes back after every reconnection. */
  start(): void {
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs ?? 500);
    this.#options.redis.on("ready", this.#onReady);
  }

  /** Stops watching; waits for a write-back under way. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#options.redis.off("ready", this.#onReady);
    await this.#running;
  }

  /**
   * Compares Redis's epoch with the one known, and writes back on a
   * mismatch (or always, with `writeBack`). Calls made meanwhile run once
   * more after it; never rejects.
   */
  check(options: { readonly writeBack?: boolean } = {}): Promise<void> {
    this.#writeBack ||= options.writeBack ?? false;
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        const writeBack = this.#writeBack;
        this.#writeBack = false;
        await this.#once(writeBack).catch(() => {});
      } while (this.#again && !this.#stopped);
    })().finally(() => this.#running = undefined);
    return this.#running;
  }

  async #once(writeBack: boolean): Promise<void> {
    if (this.#stopped) return;
    const { redis, keys, serverId, grid } = this.#options;
    const log = this.#options.log ?? getLogger(["clicker", "cluster"]);
    if (!writeBack && !this.#failing && await readEpoch(redis, keys) === this.#known) return;
    const held = this.#options.held();
    const lastRecorded = await this.#options.lastRecorded().catch(() => 0);
    const plan = planRepair(held, { lastRecorded, grid, nowMs: this.#now() });
    const at = this.#now();
    let outcome;
    try {
      outcome = await repairRedis(redis, keys, { known: this.#known, serverId, plan });
    } catch (error) {
      // Redis went away again (or is loading): the next heartbeat or reconnection tries again.
      if (!this.#failing && !writeBack) {
        this.#failing = true;
        this.#loss = {
          count: (this.#loss?.count ?? 0) + 1,
          at,
          roundId: plan.round.id,
          repaired: false,
          standingsRestored: 0,
        };
        log.error(
          `REDIS LOST ITS DATA: round ${plan.round.id} in progress; restoring it failed, trying again`,
          { dependency: "Redis", roundId: plan.round.id, error: errorMessage(error) },
        );
      }
      throw error;
    }
    this.#known = outcome.epoch;
    const wasFailing = this.#failing;
    this.#failing = false;
    if (!outcome.lost && !outcome.roundRestored && outcome.standingsRestored === 0) return;
    this.#loss = {
      count: (this.#loss?.count ?? 0) + (wasFailing ? 0 : 1),
      at: wasFailing ? this.#loss!.at : at,
      roundId: outcome.roundId,
      repaired: true,
      standingsRestored: outcome.standingsRestored,
    };
    const what = outcome.lost ? "REDIS LOST ITS DATA" : "REDIS LOST RECENT WRITES";
    const round = outcome.roundId !== plan.round.id
      ? `round ${outcome.roundId} in progress (this server held round ${plan.round.id}, over)`
      : `round ${outcome.roundId} (ends ${new Date(plan.round.endsAt).toISOString()}) ` +
        (outcome.roundRestored ? "restored by this server" : "restored by another server");
    log.error(
      `${what}: ${round}; ${outcome.standingsRestored} of this server's ` +
        `${plan.standings.length} player standings written back (the one with most moves wins)`,
    );
  }
}
