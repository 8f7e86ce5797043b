import assert from "node:assert/strict";
import { errorMessage, errorStack } from "../../src/log/error_message.ts";

Deno.test("errorMessage() gives an error's message, without its name or stack", () => {
  assert.equal(errorMessage(new TypeError("Cannot read x")), "Cannot read x");
});

Deno.test("errorMessage() gives the message of an error-like object, or the thrown value as text", () => {
  assert.equal(errorMessage({ message: "from a library", code: "EPIPE" }), "from a library");
  assert.equal(errorMessage("plain text"), "plain text");
  assert.equal(errorMessage(42), "42");
  assert.equal(errorMessage(undefined), "undefined");
  assert.equal(errorMessage(null), "null");
});

Deno.test("errorStack() gives where an error was thrown, and nothing for a thrown value", () => {
  const stack = errorStack(new RangeError("Cannot count"));
  assert.match(stack ?? "", /^RangeError: Cannot count\n\s+at /);
  assert.equal(errorStack("plain text"), undefined);
  assert.equal(errorStack({ message: "from a library" }), undefined);
});
