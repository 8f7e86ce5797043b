import assert from "node:assert/strict";
import { reconnectDelay } from "../../static/src/reconnect.ts";

Deno.test("reconnectDelay() grows exponentially between half and all of the ceiling", () => {
  assert.equal(reconnectDelay(0, 0), 250);
  assert.equal(reconnectDelay(0, 0.999_999), 500);
  assert.equal(reconnectDelay(1, 0), 500);
  assert.equal(reconnectDelay(3, 0.5), 3_000);
});

Deno.test("reconnectDelay() stops growing at maxMs", () => {
  assert.equal(reconnectDelay(20, 1), 15_000);
  assert.equal(reconnectDelay(1_000, 0), 7_500);
  assert.equal(reconnectDelay(4, 1, { baseMs: 100, maxMs: 1_000, factor: 3 }), 1_000);
});

Deno.test("reconnectDelay() spreads clients with different random numbers", () => {
  const delays = new Set([0, 0.25, 0.5, 0.75].map((random) => reconnectDelay(2, random)));
  assert.equal(delays.size, 4);
});

Deno.test("reconnectDelay() refuses a negative or fractional attempt", () => {
  assert.throws(() => reconnectDelay(-1, 0), RangeError);
  assert.throws(() => reconnectDelay(1.5, 0), RangeError);
});
