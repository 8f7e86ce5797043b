/**
 * The current round as the hub sees it when several servers play one game.
 * The standings live in Redis (see `click_batch.ts`); this server keeps a
 * copy of each connected player's standing, refreshed by every reply and
 * read only for `GameInfo` and `Standing`, and its view of the round in
 * progress, moved on by replies and by announced rounds (`round_feed.ts`).
 * It also keeps the latest standing it heard of every player this round,
 * connected or not, with its move count: what it writes back to a Redis
 * that lost its data (`redis_epoch.ts`).
 *
 * Moves are answered in the order they were made, since they travel in one
 * batch per turn over one connection: through a `PendingMove` the hub
 * passes (no promise per click), or with a promise.
 *
 * @module
 */

import type { HubGame, PendingMove } from "../hub/hub_game.ts";
import type { RaceView } from "../hub/race_watch.ts";
import type { EndRound, LastRound } from "../hub/wire.ts";
import { type MoveResult, newPlayer, type PlayerState } from "../game/game_state.ts";
import { multiplierCost, type PurchaseResult, START } from "../game/rules.ts";
import type { ClickBatch, OpHandler, OpReply } from "./click_batch.ts";
import { type HeldStanding, mergeStanding } from "./repair_plan.ts";

/**
 * The error a move rejects with while Redis can't be reached: the hub
 * answers the invocation with an error at once, and the game goes on once
 * Redis is back.
 */
export class GameUnavailableError extends Error {
  override name = "GameUnavailableError";
}

/** The error a move fails with when Redis could not run it. */
function unavailable(cause: unknown): GameUnavailableError {
  return new GameUnavailableError("The game is unavailable for a moment; try again", { cause });
}

/** How long a standing read by `prepare` is used by the `join` that follows. */
const PREPARED_FOR_MS = 5_000;

/** Options of {@linkcode ClusterGame}. */
export interface ClusterGameOptions {
  readonly batch: ClickBatch;
  readonly maxClicksPerSecond: number;
  /** The round in progress when the server starts. */
  readonly round: { readonly id: number; readonly endsAt: number };
  /** A connection of the player opened on this server. */
  readonly onJoin?: (playerId: number) => void;
  /** A player's connection on this server closed. */
  readonly onLeave?: (playerId: number) => void;
  /** A click or purchase on this server moved the player's standing. */
  readonly onMove?: (playerId: number) => void;
  /** The shared race, as this server reads it (absent: nobody in it). */
  readonly race?: RaceView;
}

/** The hub's game when several servers share one Redis. */
export class ClusterGame implements HubGame {
  readonly #batch: ClickBatch;
  readonly #rate: number;
  readonly #players = new Map<number, PlayerState>();
  /** Standings fetched by `prepare` for players not yet joined, and when. */
  readonly #prepared = new Map<number, { readonly reply: OpReply; readonly at: number }>();
  readonly #onJoin: (playerId: number) => void;
  readonly #onLeave: (playerId: number) => void;
  readonly #onMove: (playerId: number) => void;
  /** The shared race for `WatchRace`. */
  readonly race: RaceView | undefined;
  /** The latest standing heard of each player in the round in progress. */
  readonly #heard = new Map<number, HeldStanding>();
  #roundId: number;
  #roundEndsAt: number;
  #lastRound: LastRound | null = null;

  constructor(options: ClusterGameOptions) {
    this.#batch = options.batch;
    this.#rate = options.maxClicksPerSecond;
    this.#roundId = options.round.id;
    this.#roundEndsAt = options.round.endsAt;
    this.#onJoin = options.onJoin ?? (() => {});
    this.#onLeave = options.onLeave ?? (() => {});
    this.#onMove = options.onMove ?? (() => {});
    this.race = options.race;
  }

  /** The round in progress, as this server last heard. */
  get roundId(): number {
    return this.#roundId;
  }
  /** When the round in progress ends (epoch ms), as this server last heard. */
  get roundEndsAt(): number {
    return this.#roundEndsAt;
  }
  /** The per-player click cap, held across servers. */
  get maxClicksPerSecond(): number {
    return this.#rate;
  }
  /** The last round announced since this server started, for `GameInfo`. */
  get lastRound(): LastRound | null {
    return this.#lastRound;
  }
  /** The round in progress and the latest standing heard of each player in it. */
  held(): {
    readonly round: { readonly id: number; readonly endsAt: number };
    readonly standings: HeldStanding[];
  } {
    return {
      round: { id: this.#roundId, endsAt: this.#roundEndsAt },
      standings: [...this.#heard.values()],
    };
  }

  /** Each player with a connection on this server, and how many connections. */
  *connectionCounts(): IterableIterator<readonly [playerId: number, connections: number]> {
    for (const player of this.#players.values()) yield [player.id, player.connections];
  }

  /**
   * Reads the standing of a player with no connection here yet, for the
   * `join` that follows: without it a new connection's `GameInfo` could say
   * 0 points while Redis holds the player's score (a player moving to this
   * server mid-round, every server restarted). Redis down: nothing kept.
   */
  async prepare(id: number): Promise<void> {
    if (this.#players.has(id)) return;
    try {
      const reply = await this.#batch.enqueue("s", id);
      this.#hear(id, reply);
      this.#prepared.set(id, { reply, at: Date.now() });
    } catch { /* join starts from the round's start standing; the game says it is unavailable */ }
  }

  /** The player's cached standing; its true one is fetched at once. */
  join(id: number, username: string, _nowMs: number): PlayerState {
    let player = this.#players.get(id);
    if (!player) {
      player = newPlayer(id, username);
      this.#players.set(id, player);
      const prepared = this.#prepared.get(id);
      this.#prepared.delete(id);
      // Only a fresh read: one from an upgrade that never opened may be stale.
      if (prepared && Date.now() - prepared.at < PREPARED_FOR_MS) {
        this.#observe(player, prepared.reply);
      }
    }
    player.connections++;
    this.#onJoin(id);
    // Usually back before the client's handshake asks for GameInfo.
    // Unread, the cached standing stays; the next answer from Redis brings the true one.
    this.#batch.enqueue("s", id).then((reply) => this.#observe(player, reply)).catch(() => {});
    return player;
  }

  /** One connection of the player closed; the standing stays in Redis. */
  leave(player: PlayerState): void {
    player.connections = Math.max(0, player.connections - 1);
    if (player.connections === 0) this.#players.delete(player.id);
    this.#onLeave(player.id);
  }

  /** A click, unless the cap (across servers) drops it. */
  increment(player: PlayerState, nowMs: number): Promise<MoveResult> {
    const promised = Promise.withResolvers<MoveResult>();
    this.incrementLater(player, nowMs, { done: promised.resolve, failed: promised.reject });
    return promised.promise;
  }

  /** A doubled multiplier for the score, or why not. */
  buyMultiplier(player: PlayerState, nowMs?: number): Promise<PurchaseResult> {
    const promised = Promise.withResolvers<PurchaseResult>();
    this.buyMultiplierLater(player, nowMs ?? 0, {
      done: promised.resolve,
      failed: promised.reject,
    });
    return promised.promise;
  }

  /** A click, answered through `pending` once Redis ran the turn's batch. */
  incrementLater(player: PlayerState, _nowMs: number, pending: PendingMove<MoveResult>): void {
    this.#batch.add("c", player.id, this.#clicks, pending);
  }

  /** A purchase, answered through `pending` once Redis ran the turn's batch. */
  buyMultiplierLater(
    player: PlayerState,
    _nowMs: number,
    pending: PendingMove<PurchaseResult>,
  ): void {
    this.#batch.add("b", player.id, this.#purchases, pending);
  }

  /** Answers clicks from the batch's replies: made once, shared by every click. */
  readonly #clicks: OpHandler<PendingMove<MoveResult>> = {
    answered: (reply, pending) => {
      this.#moved(reply);
      pending.done({
        score: reply.score,
        multiplier: reply.multiplier,
        multiplierCost: multiplierCost(reply.multiplier),
        counted: reply.ok,
      });
    },
    failed: (error, pending) => pending.failed(unavailable(error)),
  };

  /** Answers purchases from the batch's replies, as {@linkcode #clicks}. */
  readonly #purchases: OpHandler<PendingMove<PurchaseResult>> = {
    answered: (reply, pending) => {
      this.#moved(reply);
      pending.done(
        reply.ok
          ? { ok: true, standing: { score: reply.score, multiplier: reply.multiplier } }
          : { ok: false, reason: "score-too-low", cost: multiplierCost(reply.multiplier) },
      );
    },
    failed: (error, pending) => pending.failed(unavailable(error)),
  };

  /** The player's standing as last heard from Redis. */
  standing(player: PlayerState): MoveResult {
    return {
      score: player.score,
      multiplier: player.multiplier,
      multiplierCost: multiplierCost(player.multiplier),
      counted: true,
    };
  }

  /** The last round before this server started, for `GameInfo`, unless a newer one was announced. */
  recall(round: LastRound): void {
    if ((this.#lastRound?.roundId ?? 0) < round.roundId) this.#lastRound = round;
  }

  /** A round was announced: the next one is in progress. */
  roundEnded(endRound: EndRound): void {
    this.#lastRound = {
      roundId: endRound.roundId,
      winners: endRound.winners,
      nbClicks: endRound.nbClicks,
    };
    this.#advance(endRound.roundId + 1, endRound.nextRoundEndsAt);
  }

  /** Moves this server's view to round `id` when it is newer; every cached standing restarts. */
  #advance(id: number, endsAt: number): void {
    if (id < this.#roundId) return;
    if (id === this.#roundId) {
      this.#roundEndsAt = Math.max(this.#roundEndsAt, endsAt);
      return;
    }
    this.#roundId = id;
    this.#roundEndsAt = endsAt;
    this.#heard.clear();
    for (const player of this.#players.values()) {
      player.score = START.score;
      player.multiplier = START.multiplier;
    }
  }

  #observe(player: PlayerState, reply: OpReply): void {
    if (!this.#hear(player.id, reply)) return;
    player.score = reply.score;
    player.multiplier = reply.multiplier;
  }

  /** Keeps what a reply says of the player; false when it is from a round this server left. */
  #hear(playerId: number, reply: OpReply): boolean {
    this.#advance(reply.roundId, reply.roundEndsAt);
    // A reply from a round this server has already left would put old points back.
    if (reply.roundId !== this.#roundId) return false;
    const { score, multiplier, version } = reply;
    this.#heard.set(
      playerId,
      mergeStanding(this.#heard.get(playerId), { playerId, score, multiplier, version }),
    );
    return true;
  }

  /** A click or purchase ran: the player's cached standing follows, and the move is passed on. */
  #moved(reply: OpReply): void {
    const player = this.#players.get(reply.playerId);
    if (player) this.#observe(player, reply);
    else this.#hear(reply.playerId, reply);
    if (reply.ok) this.#onMove(reply.playerId);
  }

  /**
   * Reads again the standing of a player connected here, which moved on
   * another server; true once read, false when the player has no connection
   * here or Redis can't be reached.
   */
  async refresh(playerId: number): Promise<boolean> {
    const player = this.#players.get(playerId);
    if (!player) return false;
    try {
      this.#observe(player, await this.#batch.enqueue("s", playerId));
      return true;
    } catch {
      return false;
    }
  }
}
