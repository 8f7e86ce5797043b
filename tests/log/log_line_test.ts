import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { formatLogLine } from "../../src/log/log_line.ts";

function record(message: string, properties: Record<string, unknown> = {}): LogRecord {
  return {
    category: ["clicker", "hub"],
    level: "info",
    message: [message],
    rawMessage: message,
    timestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    properties,
  };
}

Deno.test("formatLogLine() writes one JSON object with time, level, server, category, message and fields", () => {
  const line = formatLogLine(
    record("connection closed", { connectionId: "7", reason: "gone", durationMs: 12 }),
    "json",
    "web-1",
  );
  assert.deepEqual(JSON.parse(line), {
    time: "2026-01-02T03:04:05.006Z",
    level: "info",
    serverId: "web-1",
    category: "clicker.hub",
    message: "connection closed",
    connectionId: "7",
    reason: "gone",
    durationMs: 12,
  });
  assert.equal(line.includes("\n"), false);
});

Deno.test("formatLogLine() writes text as time, level, server, category: message, then key=value", () => {
  const line = formatLogLine(
    record("round ended", {
      roundId: 3,
      winners: ["ann", "bob"],
      note: "two words",
      gone: undefined,
    }),
    "text",
    "s1",
  );
  assert.equal(
    line,
    '2026-01-02T03:04:05.006Z INFO    s1 clicker.hub: round ended roundId=3 winners=["ann","bob"] note="two words"',
  );
});

Deno.test("formatLogLine() shows a message with braces as written, and an error field by its message", () => {
  const braces = record("Cannot parse {json}", { error: new RangeError("bad {value}") });
  assert.equal(JSON.parse(formatLogLine(braces, "json", "s1")).message, "Cannot parse {json}");
  assert.equal(JSON.parse(formatLogLine(braces, "json", "s1")).error, "bad {value}");
  assert.match(
    formatLogLine(braces, "text", "s1"),
    /: Cannot parse \{json\} error="bad \{value\}"$/,
  );
});
