/**
 * What a soak client writes down, in the order its messages came off the
 * wire: the `GameInfo` that opens each connection, every answered or lost
 * click and purchase, every `EndRound`, and every connection that ends. The
 * soak's checks read nothing else.
 *
 * @module
 */

/** `GameInfo` arrived: a connection (or a reconnected one) has joined. */
export interface JoinEvent {
  readonly kind: "join";
  readonly at: number;
  readonly roundId: number;
  readonly score: number;
  readonly multiplier: number;
  /** End of `roundId` (epoch ms, server clock). */
  readonly roundEndsAt: number;
  readonly roundDurationMs: number;
  /** What the first multiplier of a round costs. */
  readonly baseMultiplierCost: number;
}

/** The {@linkcode JoinEvent} that a `GameInfo` received at `at` stands for. */
export function joinEvent(info: Omit<JoinEvent, "kind" | "at">, at: number): JoinEvent {
  return {
    kind: "join",
    at,
    roundId: info.roundId,
    score: info.score,
    multiplier: info.multiplier,
    roundEndsAt: info.roundEndsAt,
    roundDurationMs: info.roundDurationMs,
    baseMultiplierCost: info.baseMultiplierCost,
  };
}

/** An `Increment` completion. */
export interface ClickEvent {
  readonly kind: "click";
  readonly at: number;
  readonly score: number;
  readonly multiplier: number;
  readonly counted: boolean;
}

/** A `BuyMultiplier` completion: its result, or the error that the score could not pay. */
export interface BuyEvent {
  readonly kind: "buy";
  readonly at: number;
  readonly ok: boolean;
  readonly score?: number;
  readonly multiplier?: number;
}

/** An invocation whose connection ended before its completion: it may or may not have counted. */
export interface LostEvent {
  readonly kind: "lost";
  readonly at: number;
  readonly method: "Increment" | "BuyMultiplier";
}

/** An `EndRound`. */
export interface EndEvent {
  readonly kind: "end";
  readonly at: number;
  readonly roundId: number;
  readonly winners: readonly string[];
  readonly nbClicks: number;
}

/** A connection ended: closed, or lost and now reconnecting. */
export interface DownEvent {
  readonly kind: "down";
  readonly at: number;
  /** True when the soak ended it (a stop, a cut it made); false when it just happened. */
  readonly expected: boolean;
  readonly reason: string;
}

/** The soak cut this client's network (its proxy dropped every connection without a close). */
export interface CutEvent {
  readonly kind: "cut";
  readonly at: number;
}

/** One entry of a client's log. */
export type SoakEvent =
  | JoinEvent
  | ClickEvent
  | BuyEvent
  | LostEvent
  | EndEvent
  | DownEvent
  | CutEvent;

/** A client's log: who played, how, and what it saw. */
export interface ClientLog {
  /** `ws-json-1` and so on. */
  readonly name: string;
  readonly username: string;
  readonly events: readonly SoakEvent[];
}
