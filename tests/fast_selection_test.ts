/**
 * Keeps `deno task test:fast` honest: a test file that starts a browser or a
 * child process must be listed in `SLOW` (`fast_selection.ts`), and every
 * entry there must still exist.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { guessCost, isSlow, SLOW, splitByCost, testFiles } from "./fast_selection.ts";

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

Deno.test("splitByCost() gives each file to one shard, the costliest first to the cheapest", () => {
  const files = [
    { path: "a", cost: 10 },
    { path: "b", cost: 70 },
    { path: "c", cost: 20 },
    { path: "d", cost: 40 },
    { path: "e", cost: 30 },
  ];
  // b (70) to the first; d (40), e (30) to the second; c (20) to the first; a (10) to the second.
  assert.deepEqual(splitByCost(files, 2), [["b", "c"], ["a", "d", "e"]]);
  assert.deepEqual(splitByCost(files, 1), [["a", "b", "c", "d", "e"]]);
  assert.deepEqual(splitByCost([], 2), [[], []]);
});

Deno.test("guessCost() adds to a file's length for each server it starts and password it hashes", () => {
  assert.equal(guessCost("x".repeat(100)), 100);
  const text = "await startTestServer(); await registerAndLogin(url); hashPassword(pw);";
  assert.equal(guessCost(text), text.length + 3 * 5000);
});
