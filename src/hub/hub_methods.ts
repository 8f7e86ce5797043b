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
import type { HubGame } from "./hub_game.ts";
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
  readonly game: Pick<HubGame, "increment" | "buyMultiplier" | "standing" | "maxClicksPerSecond">;
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
    const game = this.#game;
    if (method === HubMethod.WatchRace) {
      // The completion first, then the race as it is: the client's promise settles before `Race`.
      if (invocationId !== undefined) {
        this.#complete(connection, connection.protocol.encodeResult(invocationId, null));
      }
      this.#watchRace(connection);
      return;
    }
    if (method === HubMethod.Increment) {
      // The frame's arrival time, read once by the hub: no second clock read per click.
      const now = connection.lastSeen;
      const result = game.increment(connection.player, now);
      if (result instanceof Promise) {
        this.#later(
          connection,
          invocationId,
          result,
          (moved) => this.#incremented(connection, invocationId, moved, now),
          () => this.#counts.clicksRefused++,
        );
        return;
      }
      this.#incremented(connection, invocationId, result, now);
      return;
    }
    const purchase = game.buyMultiplier(connection.player, connection.lastSeen);
    if (purchase instanceof Promise) {
      this.#later(
        connection,
        invocationId,
        purchase,
        (bought) => this.#bought(connection, invocationId, bought),
        () => this.#counts.purchasesFailed++,
      );
      return;
    }
    this.#bought(connection, invocationId, purchase);
  }

  /**
   * Answers a move once the game took it, if the connection is still open:
   * `answer` with the outcome, or a completion error when the game failed,
   * or when `answer` threw before its completion went out (that is logged);
   * `refused` counts a move the game could not take.
   */
  #later<T>(
    connection: C,
    invocationId: string | undefined,
    pending: Promise<T>,
    answer: (outcome: T) => void,
    refused: () => void,
  ): void {
    const unavailable = () => {
      if (this.#live(connection)) this.#fail(connection, invocationId, GAME_UNAVAILABLE);
    };
    pending.then((outcome) => {
      if (!this.#live(connection)) return;
      const before = this.#completions;
      try {
        answer(outcome);
      } catch (error) {
        this.#log.error("Cannot answer invocation", {
          connectionId: connection.id,
          error: errorMessage(error),
          stack: errorStack(error),
        });
        if (this.#completions === before) unavailable();
      }
    }, () => {
      refused();
      unavailable();
    }).catch((error) => {
      // Even the error could not be sent (the socket broke meanwhile): nothing more to tell.
      this.#log.error("Cannot send completion", {
        connectionId: connection.id,
        error: errorMessage(error),
      });
    });
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
