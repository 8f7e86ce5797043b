/**
 * The hub methods a client invokes, `Increment`, `BuyMultiplier` and
 * `WatchRace`, and how each is answered. Names match in any case, as in ASP.NET Core. An
 * invocation with an id (`invoke`) gets exactly one completion, its result
 * or an error; one without (`send`) gets none, also when it fails.
 *
 * A click the cap dropped also earns a `Throttled`, at most once a second,
 * and a move that changed the player's standing is passed on so their other
 * connections hear of it. A game kept elsewhere answers later: the answer
 * goes out once it comes, unless the connection closed meanwhile. When it
 * fails, or answering it throws before the completion went out, the caller
 * gets a completion error; nothing is left as an unhandled rejection.
 *
 * @module
 */

import type { MoveResult, PlayerState } from "../game/game_state.ts";
import type { PurchaseResult } from "../game/rules.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connections.ts";
import type { HubGame, PendingMove } from "./hub_game.ts";
import type { Frame, Invocation } from "./protocol.ts";
import { HubMethod, type ScoreUpdate, type Throttled } from "./wire.ts";
import { HubCounts } from "../metrics/hub_counts.ts";
import { getLogger } from "@logtape/logtape";
import type { ProblemLog } from "../log/problem_log.ts";
import { errorMessage, errorStack } from "../log/error_message.ts";

/** The completion error of a move the game could not take (it is kept elsewhere and out of reach). */
export const GAME_UNAVAILABLE = "The game is unavailable for a moment; try again";

/** A connection whose moves are the player's: clicks and purchases move `player`. */
export interface PlayerConnection extends Connection {
  readonly player: PlayerState;
}

/** What {@linkcode HubMethods} needs. */
export interface HubMethodsOptions<C extends PlayerConnection> {
  /** The open connections: answers go out here, and only to those still open. */
  readonly registry: Pick<ConnectionRegistry<C>, "get" | "send">;
  /** The current round, which takes the moves. */
  readonly game: Pick<
    HubGame,
    | "increment"
    | "buyMultiplier"
    | "incrementLater"
    | "buyMultiplierLater"
    | "standing"
    | "maxClicksPerSecond"
  >;
  /** The player's standing moved through `connection`, at `now` (epoch ms). */
  readonly moved: (connection: C, now: number) => void;
  /** The connection asked for `Race` from now on (`WatchRace`). */
  readonly watchRace?: (connection: C) => void;
  /** Where clicks and purchases are counted (default: a count of its own). */
  readonly counts?: HubCounts;
  /** Where errors in answering a move go (default: the `clicker.hub` logger). */
  readonly log?: ProblemLog;
}

/** Runs the invocations of hub methods and answers them. */
export class HubMethods<C extends PlayerConnection> {
  readonly #registry: HubMethodsOptions<C>["registry"];
  readonly #game: HubMethodsOptions<C>["game"];
  readonly #moved: (connection: C, now: number) => void;
  readonly #watchRace: (connection: C) => void;
  readonly #counts: HubCounts;
  readonly #log: ProblemLog;
  /** Completions sent so far: tells whether an answer that threw had sent its own. */
  #completions = 0;

  constructor(options: HubMethodsOptions<C>) {
    this.#counts = options.counts ?? new HubCounts();
    this.#registry = options.registry;
    this.#game = options.game;
    this.#moved = options.moved;
    this.#watchRace = options.watchRace ?? (() => {});
    this.#log = options.log ?? getLogger(["clicker", "hub"]);
    const game = options.game;
    this.#clicks = this.#kind({
      play: (player, now) => game.increment(player, now),
      later: game.incrementLater?.bind(game),
      answer: (connection, id, result, now) => this.#incremented(connection, id, result, now),
    }, () => this.#counts.clicksRefused++);
    this.#purchases = this.#kind({
      play: (player, now) => game.buyMultiplier(player, now),
      later: game.buyMultiplierLater?.bind(game),
      answer: (connection, id, purchase) => this.#bought(connection, id, purchase),
    }, () => this.#counts.purchasesFailed++);
  }

  /** Runs one invocation of a connection past its handshake. */
  invoke(connection: C, invocation: Invocation): void {
    const { invocationId, target } = invocation;
    const method = target === HubMethod.Increment || target === HubMethod.BuyMultiplier ||
        target === HubMethod.WatchRace
      ? target
      : canonical(target);
    if (method === undefined) {
      this.#fail(connection, invocationId, `Unknown hub method '${target}'`);
      return;
    }
    if (invocation.arguments.length !== 0) {
      this.#fail(connection, invocationId, `${method} takes no arguments`);
      return;
    }
    if (method === HubMethod.WatchRace) {
      // The completion first, then the race as it is: the client's promise settles before `Race`.
      if (invocationId !== undefined) {
        this.#complete(connection, connection.protocol.encodeResult(invocationId, null));
      }
      this.#watchRace(connection);
      return;
    }
    if (method === HubMethod.Increment) this.#play(this.#clicks, connection, invocationId);
    else this.#play(this.#purchases, connection, invocationId);
  }

  /**
   * Plays a click or a purchase: answered at once when the game knows at
   * once, or through a {@linkcode LaterMove} when it answers later.
   */
  #play<T>(kind: MoveKind<C, T>, connection: C, invocationId: string | undefined): void {
    // The frame's arrival time, read once by the hub: no second clock read per click.
    const now = connection.lastSeen;
    if (kind.later !== undefined) {
      kind.later(connection.player, now, new LaterMove(kind, connection, invocationId, now));
      return;
    }
    const outcome = kind.play(connection.player, now);
    if (!(outcome instanceof Promise)) return kind.answer(connection, invocationId, outcome, now);
    const move = new LaterMove(kind, connection, invocationId, now);
    outcome.then((settled) => move.done(settled), () => move.failed());
  }

  /** Clicks: how the game plays them and how they are answered; made once, shared by all. */
  readonly #clicks: MoveKind<C, MoveResult>;
  /** Purchases, as {@linkcode #clicks}. */
  readonly #purchases: MoveKind<C, PurchaseResult>;

  /** How a kind of move is answered, at once or later. */
  #kind<T>(
    moves: Pick<MoveKind<C, T>, "play" | "later" | "answer">,
    refused: () => void,
  ): MoveKind<C, T> {
    return {
      ...moves,
      done: (move, outcome) => {
        if (!this.#live(move.connection)) return;
        const before = this.#completions;
        try {
          moves.answer(move.connection, move.invocationId, outcome, move.now);
        } catch (error) {
          this.#answerThrew(move, before, error);
        }
      },
      failed: (move) => {
        refused();
        this.#unavailable(move);
      },
    };
  }

  /**
   * Answering a move the game took later threw: logged, and the caller gets
   * a completion error unless its completion went out before the throw.
   */
  #answerThrew(move: LaterMove<C, unknown>, completionsBefore: number, error: unknown): void {
    this.#log.error("Cannot answer invocation", {
      connectionId: move.connection.id,
      error: errorMessage(error),
      stack: errorStack(error),
    });
    if (this.#completions === completionsBefore) this.#unavailable(move);
  }

  /** The game could not take a move: the caller, if still connected, gets a completion error. */
  #unavailable(move: LaterMove<C, unknown>): void {
    if (!this.#live(move.connection)) return;
    try {
      this.#fail(move.connection, move.invocationId, GAME_UNAVAILABLE);
    } catch (error) {
      // Even the error could not be sent (the socket broke meanwhile): nothing more to tell.
      this.#log.error("Cannot send completion", {
        connectionId: move.connection.id,
        error: errorMessage(error),
      });
    }
  }

  /** Whether the connection is still open (an asynchronous answer may come after it closed). */
  #live(connection: C): boolean {
    return this.#registry.get(connection.id) === connection;
  }

  /** Answers a click: `Throttled` when the cap dropped it, the completion, the other tabs. */
  #incremented(
    connection: C,
    invocationId: string | undefined,
    result: MoveResult,
    now: number,
  ): void {
    if (result.counted) this.#counts.clicksCounted++;
    else this.#counts.clicksCapped++;
    if (!result.counted && now - connection.throttledAt >= 1000) {
      connection.throttledAt = now;
      const throttled = { maxClicksPerSecond: this.#game.maxClicksPerSecond } satisfies Throttled;
      this.#registry.send(connection, connection.protocol.encodeInvocation("Throttled", throttled));
    }
    if (invocationId !== undefined) {
      const completion = connection.protocol.encodeResult(
        invocationId,
        result satisfies ScoreUpdate,
      );
      this.#complete(connection, completion);
    }
    if (result.counted) this.#moved(connection, now);
  }

  /** Answers a purchase: the completion, or why not, and the other tabs. */
  #bought(
    connection: C,
    invocationId: string | undefined,
    purchase: PurchaseResult,
  ): void {
    if (purchase.ok) this.#counts.purchasesBought++;
    else this.#counts.purchasesRefused++;
    if (!purchase.ok) {
      const score = connection.player.score;
      this.#fail(
        connection,
        invocationId,
        `Not enough points: the next multiplier costs ${purchase.cost}, you have ${score}`,
      );
      return;
    }
    if (invocationId !== undefined) {
      const standing = this.#game.standing(connection.player) satisfies ScoreUpdate;
      this.#complete(connection, connection.protocol.encodeResult(invocationId, standing));
    }
    this.#moved(connection, connection.lastSeen);
  }

  #fail(connection: C, invocationId: string | undefined, error: string): void {
    // Without an invocation id the client asked for no answer (`send`), as in ASP.NET Core.
    if (invocationId !== undefined) {
      this.#complete(connection, connection.protocol.encodeError(invocationId, error));
    }
  }

  #complete(connection: C, completion: Frame): void {
    this.#completions++;
    this.#registry.send(connection, completion);
  }
}

/** A kind of move (a click, a purchase): how the game plays it, and how it is answered. */
interface MoveKind<C, T> {
  /** Plays it: the outcome, or a promise of it from a game kept elsewhere. */
  play(player: PlayerState, now: number): T | Promise<T>;
  /** Plays it for a game that answers through a pending move, when the game does. */
  readonly later?: (player: PlayerState, now: number, pending: PendingMove<T>) => void;
  /** Answers the caller (may throw, when sending does). */
  answer(connection: C, invocationId: string | undefined, outcome: T, now: number): void;
  /** A later answer came: sent unless the connection closed meanwhile. */
  done(move: LaterMove<C, T>, outcome: T): void;
  /** The game could not take it: the caller gets a completion error. */
  failed(move: LaterMove<C, T>): void;
}

/**
 * A move the game answers later: one small object per move, whose methods
 * are shared, so thousands in flight cost little to keep.
 */
class LaterMove<C, T> implements PendingMove<T> {
  readonly answers: MoveKind<C, T>;
  readonly connection: C;
  readonly invocationId: string | undefined;
  /** When the move's frame arrived (epoch ms). */
  readonly now: number;

  constructor(
    answers: MoveKind<C, T>,
    connection: C,
    invocationId: string | undefined,
    now: number,
  ) {
    this.answers = answers;
    this.connection = connection;
    this.invocationId = invocationId;
    this.now = now;
  }

  done(outcome: T): void {
    this.answers.done(this, outcome);
  }

  failed(): void {
    this.answers.failed(this);
  }
}

/** Hub method names match regardless of case, as in ASP.NET Core. */
function canonical(target: string): HubMethod | undefined {
  switch (target.toLowerCase()) {
    case "increment":
      return HubMethod.Increment;
    case "buymultiplier":
      return HubMethod.BuyMultiplier;
    case "watchrace":
      return HubMethod.WatchRace;
    default:
      return undefined;
  }
}
