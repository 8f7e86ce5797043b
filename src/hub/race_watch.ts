/**
 * The live race for the connections that asked for it (`WatchRace`). Each
 * gets `Race`: the round's top, how many players scored, and its own
 * player's score and place. A connection is sent one only when its `Race`
 * would differ from the last one it got, and at most one per
 * {@linkcode RACE_INTERVAL_MS}.
 *
 * Changes are gathered: a move only marks the race as changed, and one pass
 * over the watchers runs at most once per interval (right away after a quiet
 * spell). A pass finds first whether the race moved at all (its version and
 * round), and if not ends there, holding the next one up for nobody. What
 * all watchers share (round, top, player count) is compared and encoded
 * once per pass (`race_frames.ts`); each watcher costs a rank lookup and a
 * comparison of its own score and rank, and a message only when something
 * changed for it: the shared bytes with its `you` appended, the same
 * message for every watcher whose player has not scored. It goes through the
 * registry like any message, so a resumable connection numbers and keeps it.
 *
 * @module
 */

import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connections.ts";
import { RaceFrames } from "./race_frames.ts";
import { RACE_TOP, type RaceEntry } from "./wire.ts";
import { type Schedule, timerSchedule } from "../sleep.ts";

/** Shortest gap between two `Race` messages to one connection: at most 4 a second. */
export const RACE_INTERVAL_MS = 250;

/** The round's race as {@linkcode RaceWatch} reads it (a `RaceRanking`, or the shared one). */
export interface RaceView {
  /** The round it is the race of, when it knows (default: the hub's game's round). */
  readonly roundId?: number;
  /** Players who scored. */
  readonly size: number;
  /** Grows whenever anything in it changes (absent: every pass looks at every watcher). */
  readonly version?: number;
  /** The first `n`, best first. */
  top(n: number): readonly RaceEntry[];
  /** The player's 1-based place, `null` when they have not scored. */
  rankOf(playerId: number): number | null;
  /** The player's score (0 when they have not scored). */
  scoreOf(playerId: number): number;
}

/** What {@linkcode RaceWatch} needs. */
export interface RaceWatchOptions<C extends Connection> {
  /** The open connections: `Race` goes out here, only to those still open. */
  readonly registry: Pick<ConnectionRegistry<C>, "get" | "sendShared">;
  /** The race now, and the round it belongs to. */
  readonly race: () => { readonly roundId: number; readonly view: RaceView };
  /** Reads the clock. */
  readonly now: () => number;
  /** Runs a pass later (default: a timer). */
  readonly schedule?: Schedule;
}

/** What a watcher was last sent, to tell whether the next `Race` differs. */
interface Watcher {
  /** When it was last sent `Race` (epoch ms). */
  sentAt: number;
  /** What the shared part of that `Race` said ("" before the first). */
  part: string;
  /** Its `you`. */
  score: number;
  rank: number | null;
}

/** Sends `Race` to the connections that watch it, when it changed for them, throttled. */
export class RaceWatch<C extends Connection> {
  readonly #registry: RaceWatchOptions<C>["registry"];
  readonly #race: RaceWatchOptions<C>["race"];
  readonly #now: () => number;
  readonly #schedule: Schedule;
  readonly #watchers = new Map<C, Watcher>();
  #cancel: (() => void) | undefined;
  #passAt = -Infinity;
  /** The race's round and version the last full pass saw; a new watcher clears it. */
  #seen = "";
  /** The messages of the race's shared part as last built, and what that part says. */
  #frames: RaceFrames | undefined;
  #part = "";

  constructor(options: RaceWatchOptions<C>) {
    this.#registry = options.registry;
    this.#race = options.race;
    this.#now = options.now;
    this.#schedule = options.schedule ?? timerSchedule;
  }

  /** Connections watching the race. */
  get watching(): number {
    return this.#watchers.size;
  }

  /** The players of the connections watching the race. */
  *players(): Iterable<number> {
    for (const connection of this.#watchers.keys()) yield connection.playerId;
  }

  /** `connection` watches the race from now on; it gets the race as it is at once. */
  watch(connection: C): void {
    if (this.#watchers.has(connection)) return;
    const watcher: Watcher = { sentAt: -Infinity, part: "", score: 0, rank: null };
    this.#watchers.set(connection, watcher);
    // It may be deferred by a pass soon after: that pass must look.
    this.#seen = "";
    const { roundId, view } = this.#race();
    this.#send(connection, watcher, this.#framesOf(roundId, view), view, this.#now());
  }

  /** The connection left: it watches no more. */
  forget(connection: C): void {
    this.#watchers.delete(connection);
    if (this.#watchers.size === 0) this.#stop();
  }

  /** The race (or the round) changed: watchers hear of it within the interval. */
  changed(): void {
    if (this.#watchers.size === 0 || this.#cancel !== undefined) return;
    const wait = Math.max(0, this.#passAt + RACE_INTERVAL_MS - this.#now());
    this.#cancel = this.#schedule(() => this.#pass(), wait);
  }

  /** Cancels a pass waiting to run. */
  #stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  /** Sends the race to every watcher it changed for, whose interval is over. */
  #pass(): void {
    this.#cancel = undefined;
    const now = this.#now();
    const { roundId, view } = this.#race();
    const seen = view.version === undefined ? "" : `${roundId} ${view.version}`;
    if (seen !== "" && seen === this.#seen) return;
    this.#seen = seen;
    this.#passAt = now;
    const frames = this.#framesOf(roundId, view);
    let nextDue = Infinity;
    for (const [connection, watcher] of this.#watchers) {
      const due = watcher.sentAt + RACE_INTERVAL_MS;
      if (due > now) {
        // Sent lately (it just started watching): looked at again once it may get one.
        nextDue = Math.min(nextDue, due);
        continue;
      }
      this.#send(connection, watcher, frames, view, now);
    }
    if (nextDue !== Infinity && this.#cancel === undefined) {
      // The deferred watchers are looked at again even if the race stays as it is.
      this.#seen = "";
      this.#cancel = this.#schedule(() => this.#pass(), nextDue - now);
    }
  }

  /**
   * The messages of the race's shared part now: those built before while
   * that part says the same (whatever else moved), else new ones.
   */
  #framesOf(roundId: number, view: RaceView): RaceFrames {
    const top = view.top(RACE_TOP);
    const part = `${roundId} ${view.size} ${JSON.stringify(top)}`;
    if (this.#frames === undefined || part !== this.#part) {
      this.#frames = new RaceFrames({ roundId, top, players: view.size });
      this.#part = part;
    }
    return this.#frames;
  }

  /** Sends `Race` unless it says what the connection's last one said. */
  #send(connection: C, watcher: Watcher, frames: RaceFrames, view: RaceView, now: number): void {
    if (this.#registry.get(connection.id) !== connection) return;
    const score = view.scoreOf(connection.playerId);
    const rank = view.rankOf(connection.playerId);
    // Most often the very string the watcher holds, compared at once.
    if (watcher.part === this.#part && watcher.score === score && watcher.rank === rank) return;
    watcher.part = this.#part;
    watcher.score = score;
    watcher.rank = rank;
    watcher.sentAt = now;
    this.#registry.sendShared(connection, frames.frame(connection.protocol, { score, rank }));
  }
}
