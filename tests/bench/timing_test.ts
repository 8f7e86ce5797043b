import assert from "node:assert/strict";
import { nowMs, randomMs, sleep } from "../../bench/timing.ts";

Deno.test("sleep() resolves no sooner than its time", async () => {
  const started = nowMs();
  await sleep(30);
  assert.ok(nowMs() - started >= 29, `after ${nowMs() - started} ms`);
});

Deno.test("sleep() ends at once when its signal aborts, leaving no timer behind", async () => {
  const controller = new AbortController();
  const started = nowMs();
  const slept = sleep(60_000, controller.signal);
  controller.abort();
  await slept;
  await sleep(60_000, AbortSignal.abort());
  assert.ok(nowMs() - started < 10_000, `after ${nowMs() - started} ms`);
});

Deno.test("randomMs() draws from lo to hi", () => {
  for (let i = 0; i < 100; i++) {
    const ms = randomMs(150, 400);
    assert.ok(ms >= 150 && ms <= 400, String(ms));
  }
});
