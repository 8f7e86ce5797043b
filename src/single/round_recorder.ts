/**
 * Writes down what the round loop ends, one unit of work at a time, in
 * order: each ended round with its winners' wins (one transaction per
 * round, the last one together with the checkpoint of the round in
 * progress), or, with nothing ended, the checkpoint alone. A round may be
 * announced only once its record has committed, so no player is ever told a
 * result the database doesn't hold, and a restart never reuses an announced
 * round's id.
 *
 * A unit of work that fails (a locked or full disk) leaves its rounds
 * waiting, and the next one retries them, oldest first; a request made while
 * one already waits joins it. Nothing here holds the next deadline up: the
 * loop asks for a unit of work and goes back to its clock.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { Outage } from "../log/outage.ts";
import { errorMessage } from "../log/error_message.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { lastRecordedRound, recordRound, saveCheckpoint } from "../db/rounds.ts";
import type { ClosedRound, GameState } from "../game/game_state.ts";
import type { LastRound } from "../hub/wire.ts";
import type { UnitOfWorkOutcome } from "../game_backend.ts";

const log = getLogger(["clicker", "round"]);

/** What {@linkcode RoundRecorder} needs for one run of the loop. */
export interface RecorderRun {
  readonly db: Kysely<Database>;
  /** Reads the clock. */
  readonly now: () => number;
  /** A round ended while players were connected is recorded: it may be announced. */
  readonly announce: (round: ClosedRound) => void;
  /** Where a failed unit of work is reported: the first of an outage, the repeats counted. */
  readonly log: ProblemLog;
}

/** A round ended and waiting for its record, then its announcement. */
interface Pending {
  readonly round: ClosedRound;
  /** Rounds recovered at start were never played by anyone connected now. */
  readonly announce: boolean;
}

/** Records ended rounds and checkpoints the loop's game, and says when each round may be told. */
export class RoundRecorder {
  readonly #game: GameState;
  #run: RecorderRun | undefined;
  #unrecorded: Pending[] = [];
  #savedVersion = -1;
  #work: Promise<unknown> = Promise.resolve();
  /** A unit of work waiting behind the one in flight; later requests join it. */
  #queued: Promise<void> | undefined;
  #queuedForce = false;
  #lastUnitOfWork: UnitOfWorkOutcome | null = null;
  #lastRound: LastRound | null = null;
  /** The database refusing units of work, told once per outage. */
  #outage = new Outage();

  /** `game` is the loop's one game, whose round in progress the checkpoints save. */
  constructor(game: GameState) {
    this.#game = game;
  }

  /** Rounds ended but not yet recorded, nor announced. */
  get unrecorded(): number {
    return this.#unrecorded.length;
  }

  /** How the last unit of work went; null before the first of a run. */
  get lastUnitOfWork(): UnitOfWorkOutcome | null {
    return this.#lastUnitOfWork;
  }

  /** The last round recorded; null before any. */
  get lastRound(): LastRound | null {
    return this.#lastRound;
  }

  /** Whether a unit of work has something to write: an ended round, or a changed round in progress. */
  get due(): boolean {
    return this.#unrecorded.length > 0 || this.#game.version !== this.#savedVersion;
  }

  /**
   * Starts a run of the loop: nothing waits and nothing has failed, and the
   * last round recorded is read back from the database.
   */
  async begin(run: RecorderRun): Promise<void> {
    this.#run = run;
    this.#outage = new Outage();
    this.#unrecorded = [];
    this.#lastUnitOfWork = null;
    this.#lastRound = await lastRecordedRound(run.db);
  }

  /** The run is over: from here on a unit of work does nothing. */
  end(): void {
    this.#run = undefined;
  }

  /** A round ended; `announce` is false for one closed from its checkpoint at start. */
  add(round: ClosedRound, announce: boolean): void {
    this.#unrecorded.push({ round, announce });
  }

  /** Resolves once the units of work asked for so far have run. */
  settled(): Promise<unknown> {
    return this.#work;
  }

  /**
   * Asks for a unit of work; `force` saves even an unchanged round. Units
   * run one at a time, in order. A request made while one is already waiting
   * joins it: that one will see every round ended by then.
   */
  flush(force: boolean): Promise<void> {
    this.#queuedForce ||= force;
    if (this.#queued) return this.#queued;
    const next = this.#work.then(() => {
      this.#queued = undefined;
      const forced = this.#queuedForce;
      this.#queuedForce = false;
      return this.#write(forced);
    });
    this.#queued = next;
    this.#work = next.catch(() => {});
    return next;
  }

  /**
   * Records every ended round not yet recorded, oldest first, the last one
   * together with the current round's checkpoint, and announces each once it
   * has committed; or, with nothing to record, saves the checkpoint alone.
   * Rounds that end meanwhile are recorded in the same go.
   */
  async #write(force: boolean): Promise<void> {
    const r = this.#run;
    if (!r) return;
    if (!force && !this.due) return;
    const game = this.#game;
    const at = r.now();
    try {
      if (this.#unrecorded.length === 0) {
        const version = game.version;
        await saveCheckpoint(r.db, game.snapshot(), at);
        this.#savedVersion = version;
      }
      while (this.#unrecorded.length > 0) {
        const { round, announce } = this.#unrecorded[0];
        const last = this.#unrecorded.length === 1;
        const version = game.version;
        await recordRound(r.db, round, last ? game.snapshot() : undefined);
        this.#unrecorded.shift();
        if (last) this.#savedVersion = version;
        this.#lastRound = {
          roundId: round.id,
          winners: round.winners.map((w) => w.username),
          nbClicks: round.nbClicks,
        };
        if (announce) r.announce(round);
      }
      this.#lastUnitOfWork = { at, ok: true };
      const back = this.#outage.recover(r.now());
      if (back !== undefined) {
        log.info("SQLite back: held rounds recorded", {
          dependency: "SQLite",
          failures: back.failures,
          durationMs: back.durationMs,
        });
      }
    } catch (error) {
      const message = errorMessage(error);
      this.#lastUnitOfWork = { at, ok: false, error: message };
      if (!this.#outage.fail(at)) return;
      r.log.error("Unit of work failed", {
        dependency: "SQLite",
        roundId: game.roundId,
        held: this.#unrecorded.length,
        error: message,
      });
    }
  }
}
