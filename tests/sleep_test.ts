import assert from "node:assert/strict";
import { sleep, timerSleep } from "../src/sleep.ts";

Deno.test("sleep() never resolves before its time, and an abort ends it at once", async () => {
  const signal = new AbortController().signal;
  for (const ms of [0, 1, 3, 25]) {
    const until = Date.now() + ms;
    await sleep(ms, signal);
    assert.ok(Date.now() >= until, `sleep(${ms}) resolved early`);
  }
  const controller = new AbortController();
  const waiting = sleep(10_000, controller.signal);
  controller.abort(new Error("stopped"));
  await assert.rejects(waiting, /stopped/);
  const late = new AbortController();
  const polling = sleep(1, late.signal); // the timer fires at once; the clock is polled
  late.abort(new Error("stopped while polling"));
  await assert.rejects(polling, /stopped while polling/);
});

Deno.test("timerSleep() resolves after its time, and an abort ends it at once", async () => {
  const signal = new AbortController().signal;
  const startedAt = performance.now();
  await timerSleep(5, signal);
  assert.ok(performance.now() - startedAt >= 4, "timerSleep(5) resolved early");
  const controller = new AbortController();
  const waiting = timerSleep(10_000, controller.signal);
  controller.abort(new Error("stopped"));
  await assert.rejects(waiting, /stopped/);
  const aborted = new AbortController();
  aborted.abort(new Error("already"));
  await assert.rejects(timerSleep(1, aborted.signal), /already/);
});
