/**
 * Keeps `deno task test:fast` honest: a test file that starts a browser or a
 * child process must be listed in `SLOW` (`fast_selection.ts`), and every
 * entry there must still exist.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { isSlow, SLOW, splitBySize, testFiles } from "./fast_selection.ts";

const ROOT = join(import.meta.dirname!, "..");

/** What marks a test file as slow: a browser, `main.ts` in a child process, any child process. */
const SLOW_MARKS = [/from "playwright-core"/, /spawn_server\.ts"/, /new Deno\.Command\(/];

Deno.test("test:fast leaves out every test file that starts a browser or a child process", async () => {
  const self = relative(ROOT, import.meta.filename!);
  const slow: string[] = [];
  for (const file of await testFiles()) {
    if (isSlow(file) || file === self) continue;
    const text = await Deno.readTextFile(join(ROOT, file));
    if (SLOW_MARKS.some((mark) => mark.test(text))) slow.push(file);
  }
  assert.deepEqual(slow, [], "add these to SLOW in tests/fast_selection.ts");
});

Deno.test("test:fast's SLOW list names only folders and files that exist", async () => {
  for (const path of Object.keys(SLOW)) {
    await Deno.stat(join(ROOT, path)).catch(() => assert.fail(`SLOW names ${path}: not found`));
  }
});

Deno.test("splitBySize() gives each file to one shard, the biggest first to the lightest", () => {
  const files = [
    { path: "a", size: 10 },
    { path: "b", size: 70 },
    { path: "c", size: 20 },
    { path: "d", size: 40 },
    { path: "e", size: 30 },
  ];
  // b (70) to the first; d (40), e (30) to the second; c (20) to the first; a (10) to the second.
  assert.deepEqual(splitBySize(files, 2), [["b", "c"], ["a", "d", "e"]]);
  assert.deepEqual(splitBySize(files, 1), [["a", "b", "c", "d", "e"]]);
  assert.deepEqual(splitBySize([], 2), [[], []]);
});
