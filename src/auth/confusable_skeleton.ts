/**
 * Unicode's confusable skeleton (UTS #39, section 4): two strings that look
 * alike share one skeleton, so Latin `a` and Cyrillic `а`, or `1` and `l`,
 * compare equal. Pure; the mapping is `confusables.json`, written by
 * `generate_confusables.ts`.
 *
 * @module
 */

import confusables from "./confusables.json" with { type: "json" };

let prototypes: ReadonlyMap<string, string> | undefined;

function fromHex(codePoints: string): string {
  return String.fromCodePoint(...codePoints.split(",").map((hex) => parseInt(hex, 16)));
}

// Built on first use rather than on import: a process that never checks a name never pays for it.
function prototypeOf(): ReadonlyMap<string, string> {
  if (prototypes !== undefined) return prototypes;
  const map = new Map<string, string>();
  for (const [source, prototype] of Object.entries(confusables)) {
    map.set(fromHex(source), fromHex(prototype));
  }
  return prototypes = map;
}

/**
 * The skeleton of `text`: NFD, each character replaced by its prototype in
 * Unicode's confusables mapping, NFD again. Case is kept; fold it first to
 * compare regardless of case.
 */
export function skeleton(text: string): string {
  const map = prototypeOf();
  let out = "";
  for (const char of text.normalize("NFD")) out += map.get(char) ?? char;
  return out.normalize("NFD");
}
