import assert from "node:assert/strict";
import { TaskLimit } from "../../src/auth/task_limit.ts";

Deno.test("TaskLimit.run() runs at most max tasks at once, in order", async () => {
  const limit = new TaskLimit(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const gates = Array.from({ length: 5 }, () => Promise.withResolvers<void>());
  const tasks = gates.map((gate, i) =>
    limit.run(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await gate.promise;
      running--;
      return i;
    })
  );
  await Promise.resolve();
  assert.equal(limit.active, 2);
  assert.equal(limit.waiting, 3);
  for (const gate of gates) gate.resolve();
  assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(limit.active, 0);
});

Deno.test("TaskLimit.run() frees the place when a task fails", async () => {
  const limit = new TaskLimit(1);
  await assert.rejects(limit.run(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await limit.run(() => Promise.resolve(7)), 7);
  assert.equal(limit.active, 0);
});

Deno.test("TaskLimit refuses a limit below 1", () => {
  assert.throws(() => new TaskLimit(0), RangeError);
});
