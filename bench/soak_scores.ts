/**
 * Which round each answered click counted in, and so the score a player ended
 * each round with, from one player's log alone (one connection at a time).
 *
 * The server closes a round in one step, writes it, then sends `EndRound`, so
 * a click answered just before `EndRound` may already count for the next
 * round. Its answer says so: the score starts again from the multiplier 1. A
 * first click from a score of 0 reads the same in either round; it is kept in
 * the round it arrived in, and the next answer (a score one higher than
 * expected) moves it. Clicks whose connection ended before their answer may
 * or may not have counted: the round's score is then a range, narrowed by the
 * next `GameInfo` or answer. Anything else that does not add up (an answer
 * that skips points, a `GameInfo` with more points than were clicked) is an
 * anomaly: something counted twice or lost.
 *
 * @module
 */

import type { SoakEvent } from "./soak_events.ts";

/** The score a player ended a round with: exact when `lo === hi`. */
export interface Span {
  lo: number;
  hi: number;
}

/** What {@linkcode attributeScores} found. */
export interface PlayerScores {
  /** Rounds by id; a round the player never touched is absent (score 0). */
  readonly rounds: ReadonlyMap<number, Span>;
  /** Answers and `GameInfo`s that do not add up, in words. */
  readonly anomalies: readonly string[];
  /** Clicks answered `counted: false`. */
  readonly throttled: number;
  /** Invocations lost with their connection. */
  readonly lost: number;
}

/** Attributes one player's answered clicks to rounds; `events` in wire order. */
export function attributeScores(events: readonly SoakEvent[]): PlayerScores {
  const rounds = new Map<number, Span>();
  const anomalies: string[] = [];
  let throttled = 0;
  let lost = 0;
  let round: number | undefined;
  let score = 0;
  let multiplier = 1;
  let base = 10;
  /** Points that lost clicks may have added. */
  let extra = 0;
  /** A lost purchase: the score is unknown until the next answer. */
  let unknown = false;
  /** 1 when the round's only click was from 0 and may belong to the next round. */
  let ambiguous = 0;
  /** A reset was seen before the `EndRound` of the round before. */
  let early = false;
  /** Points of the round before that may have counted in this one, and its record. */
  let carry = 0;
  let carried: Span | undefined;
  /** 1 when the carried points include an ambiguous click (which counted, somewhere). */
  let carriedAmbiguous = 0;

  function close(): void {
    if (round === undefined) return;
    // Points carried from the round before and never settled may have landed here.
    const span = unknown
      ? { lo: 0, hi: Infinity }
      : { lo: score - ambiguous, hi: score + extra + carry };
    // A round left at 0 needs no entry: absent means 0.
    if (span.hi > 0) rounds.set(round, span);
    carry = unknown ? Infinity : extra + ambiguous;
    carried = carry > 0 ? span : undefined;
    carriedAmbiguous = ambiguous;
    score = 0;
    multiplier = 1;
    extra = ambiguous = 0;
    unknown = false;
  }

  /** The first answer of a round says how many carried points landed here (`moved`). */
  function settle(moved: number): void {
    if (carried !== undefined) {
      // Points that moved here were not there; an ambiguous click that did not move stayed.
      carried.hi = Math.max(carried.lo, carried.hi - moved);
      if (moved === 0) carried.lo = Math.min(carried.hi, carried.lo + carriedAmbiguous);
    }
    carry = 0;
    carried = undefined;
  }

  function advanceTo(next: number): void {
    close();
    if (round !== undefined && next > round + 1 && carry > 0) {
      rounds.set(round + 1, { lo: 0, hi: carry });
      carry = 0;
      carried = undefined;
    }
    round = next;
  }

  for (const event of events) {
    switch (event.kind) {
      case "join": {
        base = event.baseMultiplierCost;
        if (round === undefined || event.roundId > round) {
          advanceTo(event.roundId);
          if (carry > 0) settle(Math.min(carry, event.score));
        } else if (event.roundId === round) {
          const gained = event.score - score;
          if (!unknown && (gained < -ambiguous || gained > extra + carry)) {
            anomalies.push(
              `round ${round}: GameInfo says score ${event.score}, answers add up to ${score}` +
                (extra ? ` (+${extra} unanswered)` : ""),
            );
          }
          if (carry > 0) settle(Math.max(0, Math.min(carry, gained)));
          extra = 0;
          unknown = false;
        } else {
          anomalies.push(`GameInfo for round ${event.roundId} after round ${round}`);
        }
        score = event.score;
        multiplier = event.multiplier;
        early = false;
        break;
      }
      case "click": {
        if (round === undefined) break;
        if (!event.counted) {
          throttled++;
          break;
        }
        const gained = event.score - score;
        const reset = event.multiplier === 1 && event.score === 1 &&
          !(score === 0 && multiplier === 1);
        if (unknown) {
          unknown = false;
          extra = 0;
        } else if (event.multiplier === multiplier && gained === multiplier) {
          ambiguous = score === 0 && multiplier === 1 && !early ? 1 : 0;
          if (carry > 0) settle(0);
        } else if (
          event.multiplier === multiplier && gained > multiplier &&
          gained - multiplier <= extra + carry && (gained - multiplier) % multiplier === 0
        ) {
          if (carry > 0) settle(Math.min(carry, gained - multiplier));
          extra = Math.max(0, extra - (gained - multiplier));
          ambiguous = 0;
        } else if (reset) {
          close();
          round = round + 1;
          early = true;
        } else {
          anomalies.push(
            `round ${round}: click answered score ${event.score} ×${event.multiplier}, ` +
              `expected ${score + multiplier} ×${multiplier}` +
              (extra ? ` (+${extra} unanswered)` : ""),
          );
          extra = 0;
          ambiguous = 0;
        }
        score = event.score;
        multiplier = event.multiplier;
        break;
      }
      case "buy": {
        if (round === undefined) break;
        const cost = base * multiplier;
        if (event.ok) {
          if (
            !unknown &&
            !(event.multiplier === multiplier * 2 && event.score! - (score - cost) >= 0 &&
              event.score! - (score - cost) <= extra)
          ) {
            anomalies.push(
              `round ${round}: purchase answered score ${event.score} ×${event.multiplier}, ` +
                `expected ${score - cost} ×${multiplier * 2}`,
            );
          }
          extra = 0;
          unknown = false;
          ambiguous = 0;
          score = event.score!;
          multiplier = event.multiplier!;
        } else if (!unknown && score >= cost) {
          // Refused although the score covered it: the server had already reset it.
          close();
          round = round + 1;
          early = true;
        }
        break;
      }
      case "lost":
        lost++;
        if (event.method === "Increment") extra += multiplier;
        else unknown = true;
        break;
      case "end":
        if (round === undefined) break;
        if (early && event.roundId === round - 1) early = false;
        else if (event.roundId >= round) advanceTo(event.roundId + 1);
        break;
      case "down":
      case "cut":
        break;
    }
  }
  close();
  if (round !== undefined && carry > 0) rounds.set(round + 1, { lo: 0, hi: carry });
  return { rounds, anomalies, throttled, lost };
}
