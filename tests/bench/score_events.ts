/**
 * Soak events as the score checks read them: only their order counts, so
 * every one happens at 0, in a round of 30 s.
 *
 * @module
 */

import type { SoakEvent } from "../../bench/soak_events.ts";

/** `GameInfo` of round `roundId`, with the standing it gave. */
export const join = (roundId: number, score = 0, multiplier = 1): SoakEvent => ({
  kind: "join",
  at: 0,
  roundId,
  score,
  multiplier,
  roundEndsAt: 30_000,
  roundDurationMs: 30_000,
  baseMultiplierCost: 10,
});

/** A click answered counted, with the standing it gave. */
export const click = (score: number, multiplier = 1): SoakEvent => ({
  kind: "click",
  at: 0,
  score,
  multiplier,
  counted: true,
});

/** `EndRound` of round `roundId`. */
export const end = (roundId: number): SoakEvent => ({
  kind: "end",
  at: 0,
  roundId,
  winners: [],
  nbClicks: 0,
});

/** A click never answered. */
export const lost: SoakEvent = { kind: "lost", at: 0, method: "Increment" };

/** A connection the server closed. */
export const down: SoakEvent = { kind: "down", at: 0, expected: false, reason: "closed" };
