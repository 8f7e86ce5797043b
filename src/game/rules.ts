/**
 * The rules of the click race, as pure functions over plain values.
 *
 * @module
 */

/** A player's standing within the current round. */
export interface Standing {
  readonly score: number;
  readonly multiplier: number;
}

/** Why a multiplier purchase was refused. */
export type PurchaseRefusal = "score-too-low";

/** The result of {@linkcode buyMultiplier}: the new standing, or a refusal. */
export type PurchaseResult =
  | { readonly ok: true; readonly standing: Standing }
  | { readonly ok: false; readonly reason: PurchaseRefusal; readonly cost: number };

/** The standing every player starts a round with. */
export const START: Standing = Object.freeze({ score: 0, multiplier: 1 });

/** What a purchase multiplies the multiplier by. */
export const MULTIPLIER_STEP = 2;

/** A round's winners scored above this: nobody wins a round nobody played. */
export const SCORE_TO_BEAT = 0;

/** What one click adds: the score grows by the multiplier. */
export function increment(standing: Standing): Standing {
  return { score: standing.score + standing.multiplier, multiplier: standing.multiplier };
}

/** What the next multiplier costs: 10 × the current one (10, 20, 40, 80 …). */
export function multiplierCost(multiplier: number): number {
  return 10 * multiplier;
}

/** Spends the cost to double the multiplier, or refuses when the score can't pay. */
export function buyMultiplier(standing: Standing): PurchaseResult {
  const cost = multiplierCost(standing.multiplier);
  if (standing.score < cost) return { ok: false, reason: "score-too-low", cost };
  return {
    ok: true,
    standing: { score: standing.score - cost, multiplier: standing.multiplier * MULTIPLIER_STEP },
  };
}

/** The outcome of a round: who won, and with how many points. */
export interface RoundOutcome<P> {
  /** Every player with the top score, when that score is above 0. */
  readonly winners: readonly P[];
  /** The top score, 0 when nobody scored. */
  readonly nbClicks: number;
}

/**
 * Finds the winners of a round: all players sharing the top score, if it is
 * above {@linkcode SCORE_TO_BEAT}.
 */
export function roundWinners<P extends { readonly score: number }>(
  players: Iterable<P>,
): RoundOutcome<P> {
  let top = SCORE_TO_BEAT;
  let winners: P[] = [];
  for (const player of players) {
    if (player.score > top) {
      top = player.score;
      winners = [player];
    } else if (player.score === top && winners.length > 0) {
      winners.push(player);
    }
  }
  return { winners, nbClicks: winners.length > 0 ? top : 0 };
}
