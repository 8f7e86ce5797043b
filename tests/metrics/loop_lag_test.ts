import assert from "node:assert/strict";
import { LoopLag } from "../../src/metrics/loop_lag.ts";

/** A clock and a single timer moved by hand. */
function handTimer() {
  let now = 0;
  let timer: { run: () => void; at: number } | undefined;
  return {
    now: () => now,
    schedule: (run: () => void, ms: number) => {
      timer = { run, at: now + ms };
      return () => timer = undefined;
    },
    /** The timer fires `lateMs` after it was due. */
    fire(lateMs: number) {
      const due = timer!;
      now = due.at + lateMs;
      due.run();
    },
    get armed() {
      return timer !== undefined;
    },
  };
}

Deno.test("LoopLag keeps the longest delay of its timer until read, then starts over", () => {
  const hand = handTimer();
  const lag = new LoopLag({ intervalMs: 50, now: hand.now, schedule: hand.schedule });
  assert.equal(lag.takeMax(), 0);
  hand.fire(3);
  hand.fire(120);
  hand.fire(7);
  assert.equal(lag.takeMax(), 120);
  assert.equal(lag.takeMax(), 0);
  hand.fire(1);
  assert.equal(lag.takeMax(), 1);
  lag.stop();
  assert.equal(hand.armed, false);
});
