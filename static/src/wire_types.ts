/// <reference lib="dom" />
/**
 * The shapes the server sends and accepts, as CONTRACT.md describes them:
 * HTTP bodies of the account and stats routes, and the arguments of hub
 * messages. Defined once here; every other client module imports them.
 *
 * @module
 */

/** A logged-in player's credentials, as `POST /api/account/login` answers. */
export interface LoginSuccess {
  readonly token: string;
  readonly username: string;
  /** Token expiry in epoch milliseconds (server clock). */
  readonly expiresAt: number;
}

/** What `POST /api/account/register` takes. */
export interface RegisterInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly passwordConfirm: string;
}

/** One row of `GET /api/leaderboard`. */
export interface LeaderboardEntry {
  readonly username: string;
  readonly nbWins: number;
}

/** One row of `GET /api/rounds`. */
export interface RoundSummary {
  readonly id: number;
  readonly endedAt: number;
  readonly winners: readonly string[];
  readonly nbClicks: number;
  readonly players: number;
}

/** Hub `GameInfo`: sent to a caller right after the handshake. */
export interface GameInfo {
  readonly nbWins: number;
  readonly multiplierCost: number;
  readonly score: number;
  readonly multiplier: number;
  readonly roundId: number;
  readonly roundEndsAt: number;
  readonly roundDurationMs: number;
  readonly serverTime: number;
}

/** Completion result of `Increment` and `BuyMultiplier`. */
export interface ScoreUpdate {
  readonly score: number;
  readonly multiplier: number;
  readonly multiplierCost: number;
  readonly counted?: boolean;
}

/** Hub `EndRound`: sent to everyone when a round closes. */
export interface EndRound {
  readonly winners: readonly string[];
  readonly nbClicks: number;
  readonly roundId: number;
  readonly nextRoundEndsAt: number;
}

/** Hub `PlayerCount`. */
export interface PlayerCount {
  readonly online: number;
}

/** Hub `Throttled`. */
export interface Throttled {
  readonly maxClicksPerSecond: number;
}
