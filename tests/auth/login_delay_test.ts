import assert from "node:assert/strict";
import { loginDelay } from "../../src/auth/login_delay.ts";

Deno.test("loginDelay() waits for nothing within the free attempts", () => {
  for (let attempts = 0; attempts < 5; attempts++) {
    assert.equal(loginDelay(attempts, { freeAttempts: 5 }), 0);
  }
});

Deno.test("loginDelay() doubles past the free attempts, from the step", () => {
  const options = { freeAttempts: 5, stepMs: 100, maxMs: 10_000 };
  assert.deepEqual([5, 6, 7, 8].map((n) => loginDelay(n, options)), [100, 200, 400, 800]);
});

Deno.test("loginDelay() stops at the cap, however many attempts", () => {
  const options = { freeAttempts: 2, stepMs: 250, maxMs: 4000 };
  assert.equal(loginDelay(6, options), 4000);
  assert.equal(loginDelay(1_000_000, options), 4000);
  assert.equal(loginDelay(1_000_000, { freeAttempts: 2 }), 4000, "default cap");
  assert.equal(loginDelay(2, { freeAttempts: 2 }), 250, "default step");
});
