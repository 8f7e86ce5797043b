/**
 * The result clients are sent most, written without `JSON.stringify`: a
 * {@linkcode ScoreUpdate} (`{score, multiplier, multiplierCost, counted}`),
 * the answer to every click. Only an object with exactly those fields, in
 * that order, holding finite numbers and a boolean, and no `toJSON` of its
 * own or inherited, is written here, in
 * the very text `JSON.stringify` makes of it; anything else is left to
 * `JSON.stringify`.
 *
 * @module
 */

import type { ScoreUpdate } from "./wire.ts";

/** The fields of a ScoreUpdate, in the order the game writes them. */
const FIELDS = ["score", "multiplier", "multiplierCost", "counted"] as const;

/** Printable ASCII but `"` and `\`: text `JSON.stringify` quotes as it is. */
const PLAIN_TEXT = /^[ !#-[\]-~]*$/;

/** Whether `value` has exactly the enumerable fields of a ScoreUpdate, in their order. */
function hasScoreUpdateFields(value: object): boolean {
  let i = 0;
  for (const key in value) {
    if (key !== FIELDS[i]) return false;
    i++;
  }
  return i === FIELDS.length;
}

/**
 * The JSON text of `value` when it is a ScoreUpdate as the game makes it,
 * exactly as `JSON.stringify` writes it; `undefined` for any other value.
 */
export function scoreUpdateJson(value: unknown): string | undefined {
  if (
    typeof value !== "object" || value === null || !hasScoreUpdateFields(value) ||
    "toJSON" in value
  ) {
    return undefined;
  }
  const { score, multiplier, multiplierCost, counted } = value as ScoreUpdate;
  if (
    !Number.isFinite(score) || !Number.isFinite(multiplier) || !Number.isFinite(multiplierCost) ||
    typeof counted !== "boolean"
  ) {
    return undefined;
  }
  return `{"score":${score},"multiplier":${multiplier},"multiplierCost":${multiplierCost},` +
    `"counted":${counted}}`;
}

/** `JSON.stringify(text)` for a string of printable ASCII with no `"` or `\`; else `undefined`. */
export function plainJsonString(text: string): string | undefined {
  return PLAIN_TEXT.test(text) ? `"${text}"` : undefined;
}
