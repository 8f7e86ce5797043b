import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import { setUpLogging, tearDownLogging } from "../../src/log/logging.ts";

Deno.test("setUpLogging() writes clicker records from the level asked for, one line each", () => {
  const lines: string[] = [];
  setUpLogging({ format: "json", level: "warning", serverId: "t1", write: (l) => lines.push(l) });
  try {
    const log = getLogger(["clicker", "test"]);
    log.info("not shown");
    log.warning("shown", { roundId: 4 });
    log.error("also shown");
    getLogger(["elsewhere"]).error("not ours");
  } finally {
    tearDownLogging();
  }
  assert.equal(lines.length, 2, lines.join(""));
  assert.ok(lines.every((line) => line.endsWith("\n")));
  const first = JSON.parse(lines[0]);
  assert.equal(first.message, "shown");
  assert.equal(first.roundId, 4);
  assert.equal(first.serverId, "t1");
  assert.equal(first.level, "warning");
});
