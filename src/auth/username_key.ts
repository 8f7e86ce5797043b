/**
 * The key two usernames share when they read alike (pure). `alice`, `ALICE`,
 * `аlice` (Cyrillic а), `aIice` (capital i), `a1ice`, `AL1CE` and `a.lice`
 * all get one key, so a newcomer can't pass for a player on the leaderboard
 * or in `EndRound`.
 *
 * @module
 */

import { skeleton } from "./confusable_skeleton.ts";

// Look-alikes the game has always refused, beyond Unicode's confusables:
// after the skeleton, i, l, 1 and | are one class (the skeleton maps 1, I and
// | to l but keeps i), and so on. Applied to the lower-cased skeleton.
const LOOK_ALIKES: ReadonlyMap<string, string> = new Map([
  ["i", "l"],
  ["1", "l"],
  ["|", "l"],
  ["!", "l"],
  ["0", "o"],
  ["5", "s"],
  ["8", "b"],
  ["-", "_"],
  [".", "_"],
]);

// Letter pairs that read as one letter at a glance; replaced after the
// single characters, left to right. (The skeleton writes m as rn; this
// writes it back, the same for every name.)
const PAIRS: readonly (readonly [string, string])[] = [["rn", "m"], ["vv", "w"]];

/**
 * Folds a username to its look-alike key: Unicode NFKC (full-width and other
 * compatibility forms become plain letters), lower case, the confusable
 * skeleton of UTS #39 (letters of other scripts that look like these become
 * these), lower case again (some prototypes are capitals, as `0` → `O`), then
 * each class of look-alike characters and pairs to one representative.
 */
export function usernameKey(username: string): string {
  let key = "";
  for (const char of skeleton(username.normalize("NFKC").toLowerCase()).toLowerCase()) {
    key += LOOK_ALIKES.get(char) ?? char;
  }
  for (const [pair, single] of PAIRS) key = key.replaceAll(pair, single);
  return key;
}
