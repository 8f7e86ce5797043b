import assert from "node:assert/strict";
import { confusablesJson } from "../../src/auth/generate_confusables.ts";

Deno.test("confusablesJson() writes hex code points, sorted by source", () => {
  const text = confusablesJson({ "m": "rn", "\u0430": "a", "\u{1D400}": "A" });
  assert.deepEqual(JSON.parse(text), { "6D": "72,6E", "430": "61", "1D400": "41" });
  assert.equal(text, '{\n  "6D": "72,6E",\n  "430": "61",\n  "1D400": "41"\n}\n');
});

Deno.test("confusablesJson() refuses a source of more than one character", () => {
  assert.throws(() => confusablesJson({ "ab": "x" }), SyntaxError);
});

Deno.test("confusablesJson() rewrites the stored mapping to the same text", async () => {
  const url = new URL("../../src/auth/confusables.json", import.meta.url);
  const stored = await Deno.readTextFile(url);
  const fromHex = (hex: string) =>
    String.fromCodePoint(...hex.split(",").map((part) => parseInt(part, 16)));
  const mapping = Object.fromEntries(
    Object.entries(JSON.parse(stored) as Record<string, string>)
      .map(([source, prototype]) => [fromHex(source), fromHex(prototype)]),
  );
  assert.equal(confusablesJson(mapping), stored);
});
