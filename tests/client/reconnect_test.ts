import assert from "node:assert/strict";
import { probeInterval, reconnectDelay } from "../../static/src/reconnect.ts";

Deno.test("reconnectDelay() retries at once first", () => {
  assert.equal(reconnectDelay(0, 0), 0);
  assert.equal(reconnectDelay(0, 0.999), 0);
});

Deno.test("reconnectDelay() then grows exponentially between half and all of the ceiling", () => {
  assert.equal(reconnectDelay(1, 0), 125);
  assert.equal(reconnectDelay(1, 0.999_999), 250);
  assert.equal(reconnectDelay(2, 0), 250);
  assert.equal(reconnectDelay(4, 0.5), 1_500);
});

Deno.test("reconnectDelay() never waits more than 5 s", () => {
  for (let attempt = 0; attempt < 100; attempt++) {
    assert.ok(reconnectDelay(attempt, 0.999_999) <= 5_000, `attempt ${attempt}`);
  }
  assert.equal(reconnectDelay(20, 1), 5_000);
  assert.equal(reconnectDelay(1_000, 0), 2_500);
  assert.equal(reconnectDelay(4, 1, { baseMs: 100, maxMs: 1_000, factor: 3 }), 1_000);
});

Deno.test("reconnectDelay() spreads clients with different random numbers", () => {
  const delays = new Set([0, 0.25, 0.5, 0.75].map((random) => reconnectDelay(3, random)));
  assert.equal(delays.size, 4);
});

Deno.test("reconnectDelay() refuses a negative or fractional attempt", () => {
  assert.throws(() => reconnectDelay(-1, 0), RangeError);
  assert.throws(() => reconnectDelay(1.5, 0), RangeError);
});

Deno.test("probeInterval() asks again within 250 to 500 ms", () => {
  assert.equal(probeInterval(0), 250);
  assert.equal(probeInterval(1), 500);
  assert.equal(probeInterval(0.5), 375);
});

Deno.test("probeInterval() stays within 250 to 500 ms whatever the random number", () => {
  for (const random of [-1, 0.1, 0.333, 0.999_999, 2]) {
    const interval = probeInterval(random);
    assert.ok(interval >= 250 && interval <= 500, `random ${random}: ${interval}`);
  }
});
