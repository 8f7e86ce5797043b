/**
 * The round loop: the one background task that ends rounds on the server's
 * clock. Round k of a run ends at `start + k × duration`, computed from the
 * clock each time, so slow work at one boundary never moves the next.
 *
 * At each deadline it closes the round in memory in one synchronous step
 * (clicks after that count for the next round), runs the tick's unit of work
 * (one SQLite transaction recording the round and its winners' wins, and the
 * next round's checkpoint), then announces `EndRound` to every client.
 *
 * A round is announced only once its record has committed, so no player is
 * ever told a result the database doesn't hold, and a restart never reuses
 * an announced round's id. When a write fails (a locked or full disk) the
 * game goes on in the next round in memory; the write is retried, and the
 * waiting rounds are announced in order once recorded. The next deadline
 * never waits for the disk.
 *
 * The module exports the class and one inert instance, {@linkcode roundLoop}:
 * importing it starts nothing; `start(deps)` wires it up, `stop()` ends it.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import type { Kysely } from "kysely";
import type { Database } from "./db/schema.ts";
import {
  lastRoundId,
  loadCheckpoints,
  recentRounds,
  recordRound,
  saveCheckpoint,
} from "./db/rounds.ts";
import { type ClosedRound, closeSnapshot, GameState } from "./game/game_state.ts";
import { nextDeadline, type RoundGrid, waitUntil } from "./game/round_clock.ts";
import type { LastRound } from "./hub/wire.ts";

/** What `EndRound` tells every client. */
export interface EndRound {
  readonly winners: string[];
  readonly nbClicks: number;
  readonly roundId: number;
  readonly nextRoundEndsAt: number;
}

/** Sleeps `ms`, or rejects when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

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
  /** Where problems are reported (default `console.error`). */
  readonly logError?: (message: string) => void;
}

/** The loop's state for `/healthz`. */
export interface RoundLoopHealth {
  readonly running: boolean;
  readonly roundId: number;
  readonly roundEndsAt: number;
  /** Rounds ended but not yet recorded, nor announced (a failed unit of work is retried). */
  readonly unrecorded: number;
  readonly lastUnitOfWork:
    | { readonly at: number; readonly ok: boolean; readonly error?: string }
    | null;
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

/** A round ended and waiting for its record, then its announcement. */
interface Pending {
  readonly round: ClosedRound;
  /** Rounds recovered at start were never played by anyone connected now. */
  readonly announce: boolean;
}

/** No checkpoint is started this close to a deadline (ms). */
const CHECKPOINT_QUIET_MS = 50;

/** How early the default sleep's timer fires before it polls the clock (ms). */
const EARLY_WAKE_MS = 2;

/**
 * The default sleep: resolves once `Date.now()` has moved `ms` past the call,
 * or rejects when `signal` aborts. Timers fire a millisecond or two late, and
 * every client sees a round's end as late as the loop wakes, so the timer
 * wakes a little early and the clock is then polled between I/O callbacks
 * (clicks keep flowing) until the exact millisecond.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const until = Date.now() + ms;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    const poll = () => {
      if (Date.now() < until) {
        immediate = setImmediate(poll);
        return;
      }
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      reject(signal.reason);
    };
    const timer = setTimeout(poll, Math.max(0, ms - EARLY_WAKE_MS));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

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
  #running: Running | undefined;
  #unrecorded: Pending[] = [];
  #savedVersion = -1;
  #work: Promise<unknown> = Promise.resolve();
  /** A unit of work waiting behind the one in flight; later requests join it. */
  #queued: Promise<void> | undefined;
  #queuedForce = false;
  /** Off once the sockets are closed for shutdown. */
  #announcing = true;
  #lastUnitOfWork: RoundLoopHealth["lastUnitOfWork"] = null;
  #lastRound: LastRound | null = null;

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
    this.#unrecorded = [];
    this.#announcing = true;
    this.#lastUnitOfWork = null;
    const [recorded] = await recentRounds(deps.db, 1);
    this.#lastRound = recorded === undefined
      ? null
      : { roundId: recorded.id, winners: recorded.winners, nbClicks: recorded.nbClicks };

    const saved = await loadCheckpoints(deps.db);
    const t = now();
    const resumable = saved.findLast((s) => s.endsAt > t && s.endsAt <= t + duration);
    for (const snapshot of saved) {
      if (snapshot !== resumable) {
        this.#unrecorded.push({ round: closeSnapshot(snapshot), announce: false });
      }
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
    await this.#requestFlush(true);
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
    await this.#work;
    options.beforeSave?.();
    // Nobody is connected to hear about rounds recorded from here on.
    this.#announcing = false;
    await this.#requestFlush(true);
    this.#running = undefined;
    const last = this.#lastUnitOfWork;
    if (last && !last.ok) {
      throw new UnsavedRoundsError(this.#unrecorded.length, last.error ?? "unknown error");
    }
  }

  /**
   * The last round recorded: announced with `EndRound` in the same step, or,
   * for rounds closed from their checkpoints at start, recorded before anyone
   * could connect. `GameInfo` carries it, so a page that reconnects learns
   * the result it missed; null before any round was recorded.
   */
  get lastRound(): LastRound | null {
    return this.#lastRound;
  }

  /** The loop's state, for `/healthz`. */
  health(): RoundLoopHealth {
    return {
      running: this.running,
      roundId: this.game.roundId,
      roundEndsAt: this.game.roundEndsAt,
      unrecorded: this.#unrecorded.length,
      lastUnitOfWork: this.#lastUnitOfWork,
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
      this.#unrecorded.push({ round: this.game.close(nextEndsAt), announce: true });
      // Not awaited: a slow or locked disk must not hold up the next deadline.
      void this.#requestFlush(true);
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
      const due = this.#unrecorded.length > 0 || this.game.version !== this.#savedVersion;
      if (due) await this.#requestFlush(false);
    }
  }

  /**
   * Records every ended round not yet recorded, oldest first, the last one
   * together with the current round's checkpoint, and announces each once it
   * has committed; or, with nothing to record, saves the checkpoint alone.
   * `force` saves even an unchanged round. Rounds that end meanwhile are
   * recorded in the same go.
   */
  async #flush(force: boolean): Promise<void> {
    const r = this.#running;
    if (!r) return;
    if (!force && this.#unrecorded.length === 0 && this.game.version === this.#savedVersion) {
      return;
    }
    const at = r.now();
    try {
      if (this.#unrecorded.length === 0) {
        const version = this.game.version;
        await saveCheckpoint(r.deps.db, this.game.snapshot(), at);
        this.#savedVersion = version;
      }
      while (this.#unrecorded.length > 0) {
        const { round, announce } = this.#unrecorded[0];
        const last = this.#unrecorded.length === 1;
        const version = this.game.version;
        await recordRound(r.deps.db, round, last ? this.game.snapshot() : undefined);
        this.#unrecorded.shift();
        if (last) this.#savedVersion = version;
        this.#lastRound = {
          roundId: round.id,
          winners: round.winners.map((w) => w.username),
          nbClicks: round.nbClicks,
        };
        if (announce && this.#announcing) r.deps.broadcast(this.#endRound(round));
      }
      this.#lastUnitOfWork = { at, ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#lastUnitOfWork = { at, ok: false, error: message };
      const waiting = this.#unrecorded.length === 0
        ? ""
        : ` (${this.#unrecorded.length} unrecorded)`;
      (r.deps.logError ?? console.error)(
        `Round ${this.game.roundId}: unit of work failed${waiting}: ${message}`,
      );
    }
  }

  /** What `EndRound` says of a round recorded now. */
  #endRound(round: ClosedRound): EndRound {
    return {
      winners: round.winners.map((w) => w.username),
      nbClicks: round.nbClicks,
      roundId: round.id,
      nextRoundEndsAt: this.game.roundEndsAt,
    };
  }

  /**
   * Runs units of work one at a time, in order. A request made while one is
   * already waiting joins it: that one will see every round ended by then.
   */
  #requestFlush(force: boolean): Promise<void> {
    this.#queuedForce ||= force;
    if (this.#queued) return this.#queued;
    const next = this.#work.then(() => {
      this.#queued = undefined;
      const forced = this.#queuedForce;
      this.#queuedForce = false;
      return this.#flush(forced);
    });
    this.#queued = next;
    this.#work = next.catch(() => {});
    return next;
  }
}

/** The server's round loop. Inert until `start()`. */
export const roundLoop: RoundLoop = new RoundLoop();
