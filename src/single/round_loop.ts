/**
 * The round loop: the one background task that ends rounds on the server's
 * clock. Round k of a run ends at `start + k × duration`, computed from the
 * clock each time, so slow work at one boundary never moves the next.
 *
 * At each deadline it closes the round in memory in one synchronous step
 * (clicks after that count for the next round) and asks for the tick's unit
 * of work (one SQLite transaction recording the round and its winners' wins,
 * and the next round's checkpoint), then announces `EndRound` to every
 * client once that has committed; `round_recorder.ts` runs the units of work
 * and retries failed ones. The next deadline never waits for the disk: when
 * a write fails the game goes on in the next round in memory. Between
 * deadlines the round in progress is saved at most once an interval.
 *
 * Importing the module starts nothing: the server builds one loop
 * (`single_backend.ts`), `start(deps)` wires it up, `stop()` ends it, and
 * tests build their own with a fake clock and sleep.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { lastRoundId, loadCheckpoints } from "../db/rounds.ts";
import { type ClosedRound, closeSnapshot, GameState } from "../game/game_state.ts";
import { nextDeadline, type RoundGrid, waitUntil } from "../game/round_clock.ts";
import type { EndRound, LastRound } from "../hub/wire.ts";
import type { RoundLoopHealth } from "../game_backend.ts";
import { RoundRecorder } from "./round_recorder.ts";
import { type Sleep, sleep } from "../sleep.ts";
import { getLogger } from "@logtape/logtape";
import type { ProblemLog } from "../log/problem_log.ts";

/** What {@linkcode RoundLoop.start} needs. */
export interface RoundLoopDeps {
  readonly db: Kysely<Database>;
  /** Tells every connected client that a round ended. */
  readonly broadcast: (endRound: EndRound) => void;
  readonly roundDurationMs: number;
  /** Per-player click cap (default 25). */
  readonly maxClicksPerSecond?: number;
  /** How often the round in progress is saved, at most (default 1000 ms). */
  readonly checkpointIntervalMs?: number;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** Waits (default: a timer that the signal clears). */
  readonly sleep?: Sleep;
  /** Where problems are reported (default: the `clicker.round` logger). */
  readonly log?: ProblemLog;
}

/**
 * The loop stopped, but the database did not take its last save: rounds that
 * ended were not recorded, or the round in progress was not saved.
 */
export class UnsavedRoundsError extends Error {
  override name = "UnsavedRoundsError";
  /** Ended rounds not recorded. */
  readonly unrecorded: number;
  /** The database's error. */
  readonly reason: string;

  constructor(unrecorded: number, reason: string) {
    const rounds = unrecorded === 1 ? "1 ended round" : `${unrecorded} ended rounds`;
    const what = unrecorded === 0
      ? "the round in progress was not saved"
      : `${rounds} not recorded and the round in progress not saved`;
    super(`shutdown could not save to the database: ${what}: ${reason}`);
    this.unrecorded = unrecorded;
    this.reason = reason;
  }
}

/** No checkpoint is started this close to a deadline (ms). */
const CHECKPOINT_QUIET_MS = 50;

interface Running {
  readonly deps: RoundLoopDeps;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly controller: AbortController;
  grid: RoundGrid;
  done: Promise<void>;
}

/** Ends rounds on time, records them, and announces them. */
export class RoundLoop {
  /**
   * The current round's players and standings: one object for the loop's
   * life, reset by each `start()`, so the hub may keep it from the outset.
   */
  readonly game: GameState = new GameState();
  readonly #recorder: RoundRecorder = new RoundRecorder(this.game);
  #running: Running | undefined;
  /** Off once the sockets are closed for shutdown. */
  #announcing = true;

  /** Whether the loop is running. */
  get running(): boolean {
    return this.#running !== undefined && !this.#running.controller.signal.aborted;
  }

  /**
   * Recovers saved rounds, opens the current round and starts the loop.
   * A saved round whose deadline has passed is closed from what was saved;
   * one still running resumes with its standings and deadline.
   */
  async start(deps: RoundLoopDeps): Promise<void> {
    if (this.#running) throw new Error("RoundLoop is already running");
    const now = deps.now ?? Date.now;
    const duration = deps.roundDurationMs;
    this.game.reset({ maxClicksPerSecond: deps.maxClicksPerSecond });
    this.#announcing = true;
    await this.#recorder.begin({
      db: deps.db,
      now,
      announce: (round) => {
        if (this.#announcing) deps.broadcast(this.#endRound(round));
      },
      log: deps.log ?? getLogger(["clicker", "round"]),
    });
    const saved = await loadCheckpoints(deps.db);
    const t = now();
    const resumable = saved.findLast((s) => s.endsAt > t && s.endsAt <= t + duration);
    for (const snapshot of saved) {
      if (snapshot !== resumable) this.#recorder.add(closeSnapshot(snapshot), false);
    }
    let grid: RoundGrid;
    if (resumable) {
      this.game.restore(resumable, t);
      grid = { startMs: resumable.endsAt - duration, durationMs: duration };
    } else {
      grid = { startMs: t, durationMs: duration };
      this.game.open((await lastRoundId(deps.db)) + 1, t, t + duration);
    }
    const controller = new AbortController();
    this.#running = {
      deps,
      now,
      sleep: deps.sleep ?? sleep,
      controller,
      grid,
      done: Promise.resolve(),
    };
    await this.#recorder.flush(true);
    this.#running.done = Promise.all([this.#run(), this.#checkpoints()]).then(() => {});
  }

  /**
   * Stops the loop: aborts the wait, lets the unit of work in flight finish
   * (and its `EndRound` go out), calls `beforeSave` so the caller can stop
   * clicks from arriving, then records what ended and saves the round in
   * progress. Throws {@linkcode UnsavedRoundsError}, once stopped, when that
   * last save fails. Safe to call twice.
   */
  async stop(options: { beforeSave?: () => void } = {}): Promise<void> {
    const running = this.#running;
    if (!running) {
      options.beforeSave?.();
      return;
    }
    running.controller.abort();
    await running.done;
    await this.#recorder.settled();
    options.beforeSave?.();
    // Nobody is connected to hear about rounds recorded from here on.
    this.#announcing = false;
    await this.#recorder.flush(true);
    this.#running = undefined;
    this.#recorder.end();
    const last = this.#recorder.lastUnitOfWork;
    if (last && !last.ok) {
      throw new UnsavedRoundsError(this.#recorder.unrecorded, last.error ?? "unknown error");
    }
  }

  /**
   * The last round recorded: announced with `EndRound` in the same step, or,
   * for rounds closed from their checkpoints at start, recorded before anyone
   * could connect. `GameInfo` carries it, so a page that reconnects learns
   * the result it missed; null before any round was recorded.
   */
  get lastRound(): LastRound | null {
    return this.#recorder.lastRound;
  }

  /** The loop's state, for `/healthz`. */
  health(): RoundLoopHealth {
    return {
      running: this.running,
      roundId: this.game.roundId,
      roundEndsAt: this.game.roundEndsAt,
      unrecorded: this.#recorder.unrecorded,
      lastUnitOfWork: this.#recorder.lastUnitOfWork,
    };
  }

  async #run(): Promise<void> {
    const r = this.#running!;
    const signal = r.controller.signal;
    while (!signal.aborted) {
      const deadline = this.game.roundEndsAt;
      try {
        await r.sleep(waitUntil(deadline, r.now()), signal);
      } catch {
        if (signal.aborted) return;
      }
      if (r.now() < deadline) continue;
      // If the process was held up past several deadlines, the round runs to the next one.
      const nextEndsAt = nextDeadline(r.grid, Math.max(r.now(), deadline));
      this.#recorder.add(this.game.close(nextEndsAt), true);
      // Not awaited: a slow or locked disk must not hold up the next deadline.
      void this.#recorder.flush(true);
    }
  }

  /** Saves the round in progress at most every interval, and retries failed records. */
  async #checkpoints(): Promise<void> {
    const r = this.#running!;
    const signal = r.controller.signal;
    const interval = r.deps.checkpointIntervalMs ?? 1000;
    while (!signal.aborted) {
      try {
        await r.sleep(interval, signal);
      } catch {
        return;
      }
      // Right before a deadline the tick saves everything anyway; a checkpoint
      // then would only hold the tick up.
      if (this.game.roundEndsAt - r.now() < CHECKPOINT_QUIET_MS) continue;
      if (this.#recorder.due) await this.#recorder.flush(false);
    }
  }

  /** What `EndRound` says of a round recorded now. */
  #endRound(round: ClosedRound): EndRound {
    return {
      winners: round.winners.map((w) => w.username),
      nbClicks: round.nbClicks,
      roundId: round.id,
      nextRoundEndsAt: this.game.roundEndsAt,
      standings: round.standings,
    };
  }
}
