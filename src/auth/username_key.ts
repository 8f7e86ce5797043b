/**
 * The key two usernames share when they read alike (pure). `alice`, `ALICE`,
 * `aIice` (capital i), `a1ice` and `a.lice` all get one key, so a newcomer
 * can't pass for a player on the leaderboard or in `EndRound`.
 *
 * @module
 */

// Characters that a reader can't tell apart in common fonts, after lower-casing:
// capital I becomes i, so i, l, 1 and | form one class.
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
// single characters, left to right.
const PAIRS: readonly (readonly [string, string])[] = [["rn", "m"], ["vv", "w"]];

/**
 * Folds a username to its look-alike key: Unicode NFKC (full-width and other
 * compatibility forms become plain letters), lower case, then each class of
 * look-alike characters and pairs to one representative.
 */
export function usernameKey(username: string): string {
  let key = "";
  for (const char of username.normalize("NFKC").toLowerCase()) {
    key += LOOK_ALIKES.get(char) ?? char;
  }
  for (const [pair, single] of PAIRS) key = key.replaceAll(pair, single);
  return key;
}
