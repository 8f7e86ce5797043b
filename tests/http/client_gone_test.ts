import assert from "node:assert/strict";
import { isClientGone } from "../../src/http/client_gone.ts";

Deno.test("isClientGone() is true for a peer that closed the connection", () => {
  const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
  assert.equal(isClientGone(epipe), true);
  assert.equal(isClientGone(Object.assign(new Error("reset"), { code: "ECONNRESET" })), true);
  assert.equal(isClientGone(new Deno.errors.BrokenPipe("Broken pipe")), true);
});

Deno.test("isClientGone() is false for the server's own faults", () => {
  assert.equal(isClientGone(new TypeError("x is undefined")), false);
  assert.equal(isClientGone(Object.assign(new Error("full"), { code: "ENOSPC" })), false);
  assert.equal(isClientGone("EPIPE"), false);
  assert.equal(isClientGone(null), false);
});
