/**
 * The round loop: the one background task that ends rounds on the server's
 * clock. Round k of a run ends at `start + k × duration`, computed from the
 * clock each time, so slow work at one boundary never moves the next.
 *
 * At each deadline it closes the round in memory in one synchronous step
 * (clicks after that count for the next round), runs the tick's unit of work
 * (one SQLite transaction recording the round and its winners' wins, and the
 * next round's checkpoint), then announces `EndRound` to every client. A
 * failed write is kept and retried; the game goes on meanwhile.
 *
 * The module exports the class and one inert instance, {@linkcode roundLoop}:
 * importing it starts nothing; `start(deps)` wires it up, `stop()` ends it.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import type { Kysely } from "kysely";
import type { Database } from "./db/schema.ts";
import { lastRoundId, loadCheckpoints, recordRound, saveCheckpoint } from "./db/rounds.ts";
import { type ClosedRound, closeSnapshot, GameState } from "./game/game_state.ts";
import { nextDeadline, type RoundGrid, waitUntil } from "./game/round_clock.ts";

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
  /** Rounds ended but not yet recorded (a failed unit of work is retried). */
  readonly unrecorded: number;
  readonly lastUnitOfWork:
    | { readonly at: number; readonly ok: boolean; readonly error?: string }
    | null;
}

/** No checkpoint is started this close to a deadline (ms). */
const CHECKPOINT_QUIET_MS = 50;

/** How early the default sleep's timer fires before it polls the clock (ms). */
const EARLY_WAKE_MS = 2;

/**
 * The default sleep: resolves once `Date.now()` has moved `ms` past the call,
 * or rejects when `signal` aborts. Timers fire one to two milliseconds late,
 * so the timer wakes a little early and the clock is then polled between
 * I/O callbacks (clicks keep flowing) until the exact millisecond; rounds end
 * 0.02 ms late at the median instead of 1.8 ms.
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
  /** The current round's players and standings. Replaced at each `start()`. */
  game: GameState = new GameState();
  #running: Running | undefined;
  #unrecorded: ClosedRound[] = [];
  #savedVersion = -1;
  #work: Promise<unknown> = Promise.resolve();
  #lastUnitOfWork: RoundLoopHealth["lastUnitOfWork"] = null;

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
    this.game = new GameState({ maxClicksPerSecond: deps.maxClicksPerSecond });
    this.#unrecorded = [];
    this.#lastUnitOfWork = null;

    const saved = await loadCheckpoints(deps.db);
    const t = now();
    const resumable = saved.findLast((s) => s.endsAt > t && s.endsAt <= t + duration);
    for (const snapshot of saved) {
      if (snapshot !== resumable) this.#unrecorded.push(closeSnapshot(snapshot));
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
    await this.#unitOfWork(() => this.#flush(true));
    this.#running.done = Promise.all([this.#run(), this.#checkpoints()]).then(() => {});
  }

  /**
   * Stops the loop: aborts the wait, lets the unit of work in flight finish
   * (and its `EndRound` go out), calls `beforeSave` so the caller can stop
   * clicks from arriving, then saves the round in progress. Safe to call twice.
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
    await this.#unitOfWork(() => this.#flush(true));
    this.#running = undefined;
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
      const closed = this.game.close(nextEndsAt);
      this.#unrecorded.push(closed);
      await this.#unitOfWork(() => this.#flush(true));
      r.deps.broadcast({
        winners: closed.winners.map((w) => w.username),
        nbClicks: closed.nbClicks,
        roundId: closed.id,
        nextRoundEndsAt: nextEndsAt,
      });
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
      if (due) await this.#unitOfWork(() => this.#flush(false));
    }
  }

  /**
   * Records every ended round not yet recorded, oldest first, the last one
   * together with the current round's checkpoint; or, with nothing to
   * record, saves the checkpoint alone. `force` saves even an unchanged round.
   */
  async #flush(force: boolean): Promise<void> {
    const r = this.#running!;
    const version = this.game.version;
    if (!force && this.#unrecorded.length === 0 && version === this.#savedVersion) return;
    const snapshot = this.game.snapshot();
    const at = r.now();
    try {
      if (this.#unrecorded.length === 0) {
        await saveCheckpoint(r.deps.db, snapshot, at);
      }
      while (this.#unrecorded.length > 0) {
        const last = this.#unrecorded.length === 1;
        await recordRound(r.deps.db, this.#unrecorded[0], last ? snapshot : undefined);
        this.#unrecorded.shift();
      }
      this.#savedVersion = version;
      this.#lastUnitOfWork = { at, ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#lastUnitOfWork = { at, ok: false, error: message };
      (r.deps.logError ?? console.error)(
        `Round ${this.game.roundId}: unit of work failed: ${message}`,
      );
    }
  }

  /** Runs units of work one at a time, in order. */
  #unitOfWork(work: () => Promise<void>): Promise<void> {
    const next = this.#work.then(work);
    this.#work = next.catch(() => {});
    return next;
  }
}

/** The server's round loop. Inert until `start()`. */
export const roundLoop: RoundLoop = new RoundLoop();
