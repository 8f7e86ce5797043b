import assert from "node:assert/strict";
import { describeReason, keepServingOnUnhandledRejection } from "../src/unhandled_rejections.ts";

Deno.test("keepServingOnUnhandledRejection() logs one line and keeps the process going", () => {
  const lines: string[] = [];
  const stop = keepServingOnUnhandledRejection((line) => lines.push(line));
  try {
    const event = new PromiseRejectionEvent("unhandledrejection", {
      promise: Promise.resolve(),
      reason: new Error("boom"),
      cancelable: true,
    });
    globalThis.dispatchEvent(event);
    assert.ok(event.defaultPrevented, "the process is not ended");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^clicker: unhandled rejection, still serving: Error: boom \| at /);
    assert.ok(!lines[0].includes("\n"));
  } finally {
    stop();
  }
  const later = new PromiseRejectionEvent("unhandledrejection", {
    promise: Promise.resolve(),
    reason: "late",
    cancelable: true,
  });
  globalThis.dispatchEvent(later);
  assert.equal(lines.length, 1, "stopped listening");
});

Deno.test("describeReason() puts an error's stack, or any other value, on one line", () => {
  const error = new TypeError("Cannot read x");
  const described = describeReason(error);
  assert.ok(described.startsWith("TypeError: Cannot read x | at "));
  assert.ok(!described.includes("\n"));
  assert.equal(describeReason("plain words"), "plain words");
  assert.equal(
    describeReason({ code: 1, nested: { a: [1, 2] } }),
    "{ code: 1, nested: { a: [ 1, 2 ] } }",
  );
  const bare = new Error("no stack");
  bare.stack = undefined;
  assert.equal(describeReason(bare), "Error: no stack");
});
