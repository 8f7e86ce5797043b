/**
 * The round clock when several servers play one game: whichever server
 * holds the lease (`lease.ts`) ends rounds; the others wait to take over.
 *
 * The leader sleeps until the deadline of the round in progress (kept in
 * Redis, so it survives a change of leader), closes the round in Redis in
 * one fenced step, records it in PostgreSQL (a round's id is its primary
 * key: recording twice changes nothing), then announces it on the event
 * stream (fenced by the highest id announced). A leader that dies between
 * any two steps leaves the round among the closed ones, and the next leader
 * finishes it first. A failed record (PostgreSQL down) is retried every
 * second; the game goes on in Redis meanwhile.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { Outage } from "../log/outage.ts";
import { errorMessage } from "../log/error_message.ts";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { recordRound } from "../db/rounds.ts";
import { nextDeadline } from "../game/round_clock.ts";
import { STANDINGS_TOP } from "../game/game_state.ts";
import type { EndRound, RaceEntry } from "../hub/wire.ts";
import type { RoundLoopHealth } from "../game_backend.ts";
import type { Sleep } from "../sleep.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Lease } from "./lease.ts";
import type { Redis } from "./redis_connection.ts";
import { announceRound, type ClosedResult, closeRound, pendingRounds } from "./round_scripts.ts";
import { openSchedule } from "./schedule.ts";
import type { RoundGrid } from "../game/round_clock.ts";
import type { ProblemLog } from "../log/problem_log.ts";

const log = getLogger(["clicker", "round"]);

/** How often a follower tries to take the lease, in ms. */
const ACQUIRE_EVERY_MS = 250;
/** How soon a failed record or a Redis error is retried, in ms. */
const RETRY_MS = 1000;
/** How soon closing is tried again while Redis is being restored, in ms. */
const SETTLING_RETRY_MS = 100;
/** Players' names kept for recording rounds; past it they are read again. */
const NAMES_KEPT = 100_000;

/** What {@linkcode RoundLeader} needs. */
export interface RoundLeaderDeps {
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  readonly db: Kysely<Database>;
  readonly lease: Lease;
  /** The grid of deadlines every server follows. */
  readonly grid: RoundGrid;
  readonly now?: () => number;
  readonly sleep: Sleep;
  readonly log?: ProblemLog;
  /** Called right after this server closed round `id`, before it is recorded. */
  readonly afterClose?: (id: number) => void;
  /** The epoch of Redis this server knows (see `redis_epoch.ts`); unset, not checked. */
  readonly epoch?: () => string;
  /**
   * Told a round this server just closed and recorded, as it is announced:
   * this server's own clients hear it without waiting for the event stream
   * to bring it back (see `RoundFeed.deliver`).
   */
  readonly tell?: (endRound: EndRound) => void;
}

/** This server's part in keeping the round clock: leading it, or standing by. */
export class RoundLeader {
  readonly #deps: RoundLeaderDeps;
  readonly #now: () => number;
  readonly #log: ProblemLog;
  readonly #stop = new AbortController();
  #done: Promise<void> = Promise.resolve();
  #round = { id: 0, endsAt: 0 };
  #unrecorded = 0;
  #lastUnitOfWork: RoundLoopHealth["lastUnitOfWork"] = null;
  #redisError: string | undefined;
  /** PostgreSQL refusing to record rounds, told once per outage. */
  readonly #recording = new Outage();
  /**
   * Names of players by id, read from PostgreSQL once per player (a name
   * never changes): a round's record then waits for no read.
   */
  readonly #names = new Map<number, string>();

  constructor(deps: RoundLeaderDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.log ?? log;
  }

  /** Whether this server ends rounds now. */
  get leading(): boolean {
    return this.#deps.lease.held;
  }

  /** Starts standing by, and leading whenever the lease is free. */
  start(): void {
    this.#done = this.#run();
  }

  /** Stops, and gives the lease up so another server leads at once. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
    await this.#deps.lease.release();
  }

  /** The round clock's state as this server sees it, for `/healthz`. */
  health(): RoundLoopHealth {
    const leading = this.leading;
    return {
      running: !this.#stop.signal.aborted,
      roundId: this.#round.id,
      roundEndsAt: this.#round.endsAt,
      unrecorded: leading ? this.#unrecorded : 0,
      lastUnitOfWork: leading ? this.#lastUnitOfWork : null,
    };
  }

  async #run(): Promise<void> {
    const { lease, sleep } = this.#deps;
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      try {
        if (!lease.held && !await lease.tryAcquire()) {
          await sleep(ACQUIRE_EVERY_MS, stop);
          continue;
        }
        this.#redisError = undefined;
        await this.#lead(AbortSignal.any([stop, lease.signal]));
      } catch (error) {
        if (stop.aborted) return;
        const message = errorMessage(error);
        if (this.#redisError !== message) {
          this.#log.error("Round clock failed", { dependency: "Redis", error: message });
        }
        this.#redisError = message;
        await sleep(ACQUIRE_EVERY_MS, stop).catch(() => {});
      }
    }
  }

  /** One deadline of a leader: finish what earlier leaders left, wait, close, record, announce. */
  async #lead(signal: AbortSignal): Promise<void> {
    const { redis, keys, db, grid, sleep } = this.#deps;
    const recorded = await this.#finishClosed();
    const epoch = this.#deps.epoch?.() ?? "";
    const round = await openSchedule(redis, keys, db, grid, this.#now(), epoch);
    this.#round = { id: round.id, endsAt: round.endsAt };
    let wait = Math.max(0, round.endsAt - this.#now());
    if (!recorded) wait = Math.min(wait, RETRY_MS);
    try {
      await sleep(wait, signal);
    } catch {
      return; // stopped, or the lease was lost
    }
    const token = this.#deps.lease.token;
    if (token === undefined || this.#now() < round.endsAt) return;
    // Held up past several deadlines (a takeover), the next round runs to the next one.
    const nextEndsAt = nextDeadline(
      { startMs: round.gridStart, durationMs: round.durationMs },
      Math.max(this.#now(), round.endsAt),
    );
    const outcome = await closeRound(redis, keys, token, round.id, nextEndsAt);
    // Redis says another server leads (or none: Redis restarted empty): stop leading now.
    if (outcome.kind === "not-leader") return await this.#deps.lease.release();
    // Redis lost its data and the servers are writing back: the round ends once they have.
    if (outcome.kind === "settling") return await sleep(SETTLING_RETRY_MS, signal).catch(() => {});
    if (outcome.kind !== "closed") return;
    this.#round = { id: round.id + 1, endsAt: nextEndsAt };
    this.#deps.afterClose?.(round.id);
    // With none left over before it, the round just closed is the only one to finish:
    // no need to read the closed rounds back from Redis first.
    if (recorded) await this.#finish([outcome.result], nextEndsAt);
    else await this.#finishClosed();
  }

  /**
   * Records and announces every closed round not yet announced, oldest
   * first; resolves false when PostgreSQL refused (they wait for the next try).
   */
  async #finishClosed(): Promise<boolean> {
    const { redis, keys } = this.#deps;
    return await this.#finish(await pendingRounds(redis, keys));
  }

  /**
   * Records and announces `closed`, oldest first; as {@linkcode #finishClosed}.
   * With `nextEndsAt` (the round just closed, alone), this server's clients
   * are told it as soon as it is recorded.
   */
  async #finish(closed: readonly ClosedResult[], nextEndsAt?: number): Promise<boolean> {
    const { redis, keys } = this.#deps;
    this.#unrecorded = closed.length;
    for (const result of closed) {
      const at = this.#now();
      let told: { winners: string[]; standings: RaceEntry[] };
      try {
        told = await this.#record(result);
        this.#lastUnitOfWork = { at, ok: true };
        const back = this.#recording.recover(this.#now());
        if (back !== undefined) {
          log.info("PostgreSQL back: held rounds are being recorded", {
            dependency: "PostgreSQL",
            failures: back.failures,
            durationMs: back.durationMs,
            held: closed.length,
          });
        }
      } catch (error) {
        const message = errorMessage(error);
        this.#lastUnitOfWork = { at, ok: false, error: message };
        // Retried twice a second: the first failure is told, the rest counted.
        if (this.#recording.fail(at)) {
          this.#log.error("Cannot record round", {
            dependency: "PostgreSQL",
            roundId: result.id,
            held: closed.length,
            error: message,
          });
        }
        return false;
      }
      // The announcement is on its way before this server's own clients are told.
      const announced = announceRound(
        redis,
        keys,
        result.id,
        told.winners,
        result.nbClicks,
        told.standings,
      );
      try {
        if (nextEndsAt !== undefined && closed.length === 1) {
          this.#deps.tell?.({
            winners: told.winners,
            nbClicks: result.nbClicks,
            roundId: result.id,
            nextRoundEndsAt: nextEndsAt,
            standings: told.standings,
          });
        }
      } finally {
        await announced;
      }
      this.#unrecorded--;
    }
    return true;
  }

  /**
   * Writes the round, its players' scores and its winners' wins (once,
   * whoever else tries); returns the winners' names and the final top.
   */
  async #record(
    result: ClosedResult,
  ): Promise<{ winners: string[]; standings: RaceEntry[] }> {
    const { db } = this.#deps;
    const ranked = result.ranked ?? [];
    const names = this.#names;
    const missing = [...new Set([...result.winners, ...ranked.map(([id]) => id)])]
      .filter((id) => !names.has(id));
    if (missing.length > 0) {
      const rows = await db.selectFrom("players").select(["id", "username"])
        .where("id", "in", missing).execute();
      if (names.size + rows.length > NAMES_KEPT) names.clear();
      for (const row of rows) names.set(row.id, row.username);
    }
    const winners = result.winners.flatMap((id) => {
      const username = names.get(id);
      return username === undefined ? [] : [{ id, username }];
    });
    const standings = ranked.slice(0, STANDINGS_TOP).flatMap(([id, score]) => {
      const username = names.get(id);
      return username === undefined ? [] : [{ username, score }];
    });
    await recordRound(db, {
      id: result.id,
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      winners,
      nbClicks: result.nbClicks,
      players: result.players,
      standings,
      scores: ranked.filter(([id]) => names.has(id)).map(([id, score], i) => ({
        id,
        score,
        rank: i + 1,
      })),
    });
    return { winners: winners.map((w) => w.username), standings };
  }
}
