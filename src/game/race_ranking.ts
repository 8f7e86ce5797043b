/**
 * The race of a round: the players who scored, best first, kept in order as
 * moves come rather than sorted when asked. Higher score first; on a tie,
 * whoever reached that score first (the time a move set the score is passed
 * in); then the lower player id, so the order is total. A player whose score
 * is 0 (before a click, or after a purchase spent it all) is not in the race.
 *
 * Each move is a binary search and a shift of the players it passes in a
 * sorted array (a player who joins or leaves the race: one splice): cheap
 * next to a message, and a rank or the top is read without sorting anyone.
 *
 * @module
 */

/** A player in the race. */
export interface Racer {
  readonly id: number;
  readonly username: string;
  readonly score: number;
  /** When the player reached `score` (epoch ms). */
  readonly reachedAt: number;
}

/** One place of the top: name and score. */
export interface RacePlace {
  readonly username: string;
  readonly score: number;
}

/** Whether `a` comes before `b` in the race (negative), after (positive), or is `b` (0). */
export function compareRacers(a: Racer, b: Racer): number {
  return b.score - a.score || a.reachedAt - b.reachedAt || a.id - b.id;
}

/** The players of a round who scored, in race order, updated one move at a time. */
export class RaceRanking {
  readonly #order: Racer[] = [];
  readonly #byId = new Map<number, Racer>();
  #version = 0;
  #top: { readonly version: number; readonly n: number; readonly places: RacePlace[] } | undefined;

  /** Players in the race (score above 0). */
  get size(): number {
    return this.#order.length;
  }

  /** Grows with every change of the order or of a score in it. */
  get version(): number {
    return this.#version;
  }

  /**
   * Sets the player's score, reached at `nowMs`. An unchanged score keeps its
   * time (the player did not reach it again); a score of 0 or less leaves the race.
   */
  set(id: number, username: string, score: number, nowMs: number): void {
    const old = this.#byId.get(id);
    if (old !== undefined && old.score === score) return;
    if (old === undefined && score <= 0) return;
    this.#version++;
    if (score <= 0) {
      this.#order.splice(this.#indexOf(old!), 1);
      this.#byId.delete(id);
      return;
    }
    const racer: Racer = { id, username, score, reachedAt: nowMs };
    this.#byId.set(id, racer);
    if (old === undefined) {
      this.#order.splice(this.#insertionPoint(racer), 0, racer);
      return;
    }
    // A move shifts only the racers it passes: a click usually passes few,
    // whereas taking the player out and putting it back moved everyone after it.
    const order = this.#order;
    let at = this.#indexOf(old);
    // Found with the old entry still in place: before it when the player moves up.
    const to = this.#insertionPoint(racer);
    if (to <= at) {
      for (; at > to; at--) order[at] = order[at - 1];
    } else {
      for (; at < to - 1; at++) order[at] = order[at + 1];
    }
    order[at] = racer;
  }

  /** The player's 1-based place, or `null` when they are not in the race. */
  rankOf(id: number): number | null {
    const racer = this.#byId.get(id);
    return racer === undefined ? null : this.#indexOf(racer) + 1;
  }

  /** The player's score in the race (0 when not in it). */
  scoreOf(id: number): number {
    return this.#byId.get(id)?.score ?? 0;
  }

  /** When the player reached their score (epoch ms), or `undefined` when not in the race. */
  reachedAt(id: number): number | undefined {
    return this.#byId.get(id)?.reachedAt;
  }

  /** The first `n` places, best first; the same array until the race changes. */
  top(n: number): readonly RacePlace[] {
    const cached = this.#top;
    if (cached !== undefined && cached.version === this.#version && cached.n === n) {
      return cached.places;
    }
    const places = this.#order.slice(0, n).map(({ username, score }) => ({ username, score }));
    this.#top = { version: this.#version, n, places };
    return places;
  }

  /** Every player in the race, best first. */
  racers(): readonly Racer[] {
    return this.#order;
  }

  /** Empties the race (a new round). */
  clear(): void {
    if (this.#order.length > 0) this.#version++;
    this.#order.length = 0;
    this.#byId.clear();
  }

  /** The first index whose racer does not come before `racer`. */
  #insertionPoint(racer: Racer): number {
    let low = 0;
    let high = this.#order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareRacers(this.#order[mid], racer) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #indexOf(racer: Racer): number {
    return this.#insertionPoint(racer);
  }
}

/** Ranks standings at once (a round recovered from a checkpoint): the same order as the race. */
export function rankRacers(racers: Iterable<Racer>): Racer[] {
  return [...racers].filter((r) => r.score > 0).sort(compareRacers);
}
