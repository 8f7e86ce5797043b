/**
 * The two type-check programs of the workspace, proven on scratch files in a
 * copy of the configuration: server code is checked without the DOM library
 * (so `document` is an error there), the web client in `static/` with it and
 * without Deno's namespace, and server modules the client imports are checked
 * in the client's program too. Runs `deno check`, so `deno task test:fast`
 * leaves it out.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = join(import.meta.dirname!, "..");

/** Scratch files, by path under the copied configuration. */
const FILES: Record<string, string> = {
  "src/uses_document.ts": "export const title: string = document.title;\n",
  "src/shared.ts": "export const shared: number = 1;\n",
  "static/src/page.ts": [
    'import { shared } from "../../src/shared.ts";',
    'const button: HTMLButtonElement = document.createElement("button");',
    "export const text: string = button.textContent + String(shared);",
    "",
  ].join("\n"),
  "static/src/uses_deno.ts": "export const pid: number = Deno.pid;\n",
};

Deno.test("deno check: server code has no DOM, the web client has it and no Deno namespace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clicker-type-split-" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.mkdir(join(dir, "static", "src"), { recursive: true });
    await Deno.copyFile(join(ROOT, "deno.json"), join(dir, "deno.json"));
    await Deno.copyFile(join(ROOT, "static", "deno.json"), join(dir, "static", "deno.json"));
    for (const [path, text] of Object.entries(FILES)) {
      await Deno.writeTextFile(join(dir, path), text);
    }

    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--no-lock", "--quiet", "."],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.notEqual(code, 0, output);
    // Each error names its file on the line after it: "    at file:///…/src/x.ts:1:30".
    const errors = [
      ...output.matchAll(
        /\[ERROR\]: (.*)\n(?:.*\n)*?\s+at file:\/\/.*?\/((?:static\/)?src\/\w+\.ts)/g,
      ),
    ]
      .map((match) => `${match[2]}: ${match[1].split(".")[0]}`);
    assert.deepEqual(errors.sort(), [
      "src/uses_document.ts: Cannot find name 'document'",
      "static/src/uses_deno.ts: Cannot find name 'Deno'",
    ], output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
