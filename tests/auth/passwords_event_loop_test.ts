/**
 * `verifyPassword()` hashes off the event loop: a timer keeps ticking while
 * ten hashes at the real cost run. It times the loop, so it needs the cores
 * to itself and runs in `deno task test` only, not beside the other tests of
 * `test:fast`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "../../src/auth/passwords.ts";

Deno.test("verifyPassword() keeps the event loop running while it hashes", async () => {
  const hash = await hashPassword("correct horse");
  const start = performance.now();
  await verifyPassword("correct horse", hash);
  const one = performance.now() - start;
  // Ten blocking hashes in a row would stall the loop for 10 × one.
  assert.ok(10 * one > 100, `one hash took ${one.toFixed(1)} ms: too cheap to tell`);

  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 5);
  const began = performance.now();
  try {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => verifyPassword("correct horse", hash)),
    );
    assert.deepEqual(results, Array(10).fill(true));
  } finally {
    clearInterval(timer);
  }
  const total = performance.now() - began;
  maxGap = Math.max(maxGap, performance.now() - last);
  // Blocking hashes would leave one gap of about 10 × one; a worker thread leaves
  // the 5 ms timer ticking however many cores share the ten hashes. Half of the
  // blocking gap tells them apart even on a loaded machine, where other
  // processes take the core from the loop for a hundred milliseconds at times.
  const limit = (10 * one) / 2;
  assert.ok(
    maxGap < limit,
    `the loop stalled ${maxGap.toFixed(1)} ms (limit ${limit.toFixed(1)} ms; one hash ` +
      `${one.toFixed(1)} ms, ten together ${total.toFixed(1)} ms, ${ticks} ticks)`,
  );
  assert.ok(ticks > 0, "the timer never ran");
});
