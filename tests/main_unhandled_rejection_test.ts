/**
 * The real server in a child process keeps serving after an unhandled
 * rejection, and says so in one line with the error's message and stack.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnServer } from "./support/spawn_server.ts";

const ENTRY = join(import.meta.dirname!, "support", "rejecting_main.ts");

Deno.test("main(): an unhandled rejection is logged on one line and the server keeps serving", async () => {
  const server = await spawnServer({ entry: ENTRY });
  try {
    Deno.kill(server.pid, "SIGUSR2");
    const deadline = Date.now() + 10_000;
    while (!server.output().includes("unhandled rejection")) {
      assert.ok(Date.now() < deadline, `no log line:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const line = server.output().split("\n").find((l) => l.includes("unhandled rejection"))!;
    assert.match(
      line,
      /^\S+Z ERROR +\S+ clicker: unhandled rejection, still serving: Error: boom \| at /,
      "one log line: time, level, server, then the error",
    );
    assert.match(line, /rejecting_main\.ts/, "the stack names where it came from");
    const health = await fetch(server.url + "healthz");
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, "ok");
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
});
