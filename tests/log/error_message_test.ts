import assert from "node:assert/strict";
import { errorMessage } from "../../src/log/error_message.ts";

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
