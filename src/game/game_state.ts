/**
 * The state of the current round: every player's standing, keyed by player
 * (not by connection), and the round's id and deadline. Moves apply the pure
 * rules; closing a round is one synchronous step that takes the result and
 * resets everyone, so a click that arrives afterwards counts for the next round.
 *
 * @module
 */

import {
  buyMultiplier,
  increment,
  multiplierCost,
  type PurchaseResult,
  roundWinners,
  START,
} from "./rules.ts";
import { type ClickBucket, newBucket, takeClick } from "./click_limit.ts";
import { type RacePlace, RaceRanking, rankRacers } from "./race_ranking.ts";

/** How many players a round's final standings list. */
export const STANDINGS_TOP = 10;

/** A player known to the current round. Fields change only through the game that holds it. */
export interface PlayerState {
  readonly id: number;
  readonly username: string;
  score: number;
  multiplier: number;
  /** Open connections of this player; players with none are forgotten at the round's end. */
  connections: number;
}

/** A player new to the round: at the start standing, with no connection counted yet. */
export function newPlayer(id: number, username: string): PlayerState {
  return { id, username, score: START.score, multiplier: START.multiplier, connections: 0 };
}

/** A player of a round played in this process: the bucket caps their clicks here. */
export interface CappedPlayer extends PlayerState {
  readonly bucket: ClickBucket;
}

/** What a player sees of their own standing after a move. */
export interface MoveResult {
  readonly score: number;
  readonly multiplier: number;
  readonly multiplierCost: number;
  readonly counted: boolean;
}

/** One player's saved standing, as kept in a checkpoint. */
export interface SavedStanding {
  readonly id: number;
  readonly username: string;
  readonly score: number;
  readonly multiplier: number;
  /** When the player reached `score` (epoch ms): breaks ties; absent in older checkpoints. */
  readonly reachedAt?: number;
}

/** The current round as saved to survive a restart. */
export interface RoundSnapshot {
  readonly id: number;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly players: readonly SavedStanding[];
}

/** A round that has ended, ready to be recorded. */
export interface ClosedRound {
  readonly id: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly winners: readonly { readonly id: number; readonly username: string }[];
  readonly nbClicks: number;
  /** Players who scored in the round. */
  readonly players: number;
  /** The final top {@linkcode STANDINGS_TOP}, best first (ties: who reached the score first). */
  readonly standings: readonly RacePlace[];
  /** Every player who scored, best first, with their 1-based rank. */
  readonly scores: readonly RoundScore[];
}

/** A player's result in a round. */
export interface RoundScore {
  readonly id: number;
  readonly score: number;
  readonly rank: number;
}

/** Finds the result of a saved round; used both at a deadline and when recovering. */
export function closeSnapshot(snapshot: RoundSnapshot): ClosedRound {
  const { winners, nbClicks } = roundWinners(snapshot.players);
  const ranked = rankRacers(
    snapshot.players.map((p) => ({ ...p, reachedAt: p.reachedAt ?? snapshot.startedAt })),
  );
  return {
    id: snapshot.id,
    startedAt: snapshot.startedAt,
    endedAt: snapshot.endsAt,
    winners: winners.map(({ id, username }) => ({ id, username })),
    nbClicks,
    players: ranked.length,
    standings: ranked.slice(0, STANDINGS_TOP).map(({ username, score }) => ({ username, score })),
    scores: ranked.map(({ id, score }, i) => ({ id, score, rank: i + 1 })),
  };
}

/** The click cap when none is given. */
const DEFAULT_MAX_CLICKS_PER_SECOND = 25;

/** Options of {@linkcode GameState}. */
export interface GameStateOptions {
  /** Per-player click cap (default 25). */
  readonly maxClicksPerSecond?: number;
}

/**
 * Players and the round in progress. One object serves a whole run: it is
 * reset, not replaced, so whoever holds it always sees the current round.
 */
export class GameState {
  readonly #players = new Map<number, CappedPlayer>();
  /** The round's players who scored, in order, kept up to date by every move. */
  readonly race: RaceRanking = new RaceRanking();
  #rate = DEFAULT_MAX_CLICKS_PER_SECOND;
  #roundId = 1;
  #startedAt = 0;
  #endsAt = 0;
  #version = 0;

  constructor(options: GameStateOptions = {}) {
    this.reset(options);
  }

  /** Forgets every player and the round, and takes the options anew (their defaults when absent). */
  reset(options: GameStateOptions = {}): void {
    this.#players.clear();
    this.race.clear();
    this.#rate = options.maxClicksPerSecond ?? DEFAULT_MAX_CLICKS_PER_SECOND;
    this.#roundId = 1;
    this.#startedAt = 0;
    this.#endsAt = 0;
    // Grows rather than restarting at 0, so a version saved before the reset never matches.
    this.#version++;
  }

  /** The running round's id. */
  get roundId(): number {
    return this.#roundId;
  }
  /** When the running round started (epoch ms). */
  get roundStartedAt(): number {
    return this.#startedAt;
  }
  /** When the running round ends (epoch ms). */
  get roundEndsAt(): number {
    return this.#endsAt;
  }
  /** Grows with every change; a checkpoint is due when it differs from the saved one. */
  get version(): number {
    return this.#version;
  }
  /** The configured click cap. */
  get maxClicksPerSecond(): number {
    return this.#rate;
  }

  /** Begins round `id`, running from `startedAt` to `endsAt`, with everyone at the start. */
  open(id: number, startedAt: number, endsAt: number): void {
    this.#roundId = id;
    this.#startedAt = startedAt;
    this.#endsAt = endsAt;
    this.#version++;
  }

  /** The player's state, created at the round's start standing when new. */
  join(id: number, username: string, nowMs: number): CappedPlayer {
    let player = this.#players.get(id);
    if (!player) {
      player = { ...newPlayer(id, username), bucket: newBucket(this.#rate, nowMs) };
      this.#players.set(id, player);
    }
    player.connections++;
    return player;
  }

  /** One connection of the player closed; the standing stays until the round ends. */
  leave(player: PlayerState): void {
    player.connections = Math.max(0, player.connections - 1);
  }

  /** A click: adds the multiplier unless the click cap drops it. */
  increment(player: CappedPlayer, nowMs: number): MoveResult {
    const counted = takeClick(player.bucket, this.#rate, nowMs);
    if (counted) {
      player.score = increment(player).score;
      this.race.set(player.id, player.username, player.score, nowMs);
      this.#version++;
    }
    return standingOf(player, counted);
  }

  /**
   * Spends the score on a doubled multiplier, or says why not; `nowMs` is
   * when (the new score's time in the race; default the round's start).
   */
  buyMultiplier(player: PlayerState, nowMs: number = this.#startedAt): PurchaseResult {
    const result = buyMultiplier(player);
    if (result.ok) {
      player.score = result.standing.score;
      player.multiplier = result.standing.multiplier;
      this.race.set(player.id, player.username, player.score, nowMs);
      this.#version++;
    }
    return result;
  }

  /** The player's standing, as sent to them. */
  standing(player: PlayerState): MoveResult {
    return standingOf(player, true);
  }

  /** The round in progress, to save. */
  snapshot(): RoundSnapshot {
    const players: SavedStanding[] = [];
    for (const p of this.#players.values()) {
      if (p.score !== START.score || p.multiplier !== START.multiplier) {
        const saved: SavedStanding = {
          id: p.id,
          username: p.username,
          score: p.score,
          multiplier: p.multiplier,
        };
        const reachedAt = this.race.reachedAt(p.id);
        players.push(reachedAt === undefined ? saved : { ...saved, reachedAt });
      }
    }
    return { id: this.#roundId, startedAt: this.#startedAt, endsAt: this.#endsAt, players };
  }

  /** Resumes a saved round: its id, times and standings. */
  restore(snapshot: RoundSnapshot, nowMs: number): void {
    this.open(snapshot.id, snapshot.startedAt, snapshot.endsAt);
    for (const saved of snapshot.players) {
      const player = this.join(saved.id, saved.username, nowMs);
      player.connections--;
      player.score = saved.score;
      player.multiplier = saved.multiplier;
      this.race.set(saved.id, saved.username, saved.score, saved.reachedAt ?? snapshot.startedAt);
    }
  }

  /**
   * Ends the running round in one step: finds its result, resets every player
   * and opens the next round (id + 1) ending at `nextEndsAt`.
   */
  close(nextEndsAt: number): ClosedRound {
    const closed = closeSnapshot(this.snapshot());
    for (const player of this.#players.values()) {
      if (player.connections === 0) {
        this.#players.delete(player.id);
      } else {
        player.score = START.score;
        player.multiplier = START.multiplier;
      }
    }
    this.race.clear();
    this.open(this.#roundId + 1, this.#endsAt, nextEndsAt);
    return closed;
  }
}

function standingOf(player: PlayerState, counted: boolean): MoveResult {
  return {
    score: player.score,
    multiplier: player.multiplier,
    multiplierCost: multiplierCost(player.multiplier),
    counted,
  };
}
