import assert from "node:assert/strict";
import { TaskLimit } from "../../src/auth/task_limit.ts";

function gate(): { promise: Promise<void>; open: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { promise, open: () => resolve() };
}

Deno.test("TaskLimit.tryRun() runs at most concurrency tasks at once, in order", async () => {
  const limit = new TaskLimit({ concurrency: 2 });
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const gates = Array.from({ length: 5 }, gate);
  const tasks = gates.map((g, i) =>
    limit.tryRun("k", async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await g.promise;
      running--;
      return i;
    })
  );
  await Promise.resolve();
  assert.equal(limit.active, 2);
  assert.equal(limit.waiting, 3);
  assert.equal(limit.pending("k"), 5);
  for (const g of gates) g.open();
  assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(limit.active, 0);
  assert.equal(limit.pending("k"), 0);
});

Deno.test("TaskLimit.tryRun() refuses at once, running nothing, when the line is full", async () => {
  const limit = new TaskLimit({ concurrency: 1, maxWaiting: 2 });
  const g = gate();
  let ran = 0;
  const task = async () => {
    ran++;
    await g.promise;
  };
  const admitted = [limit.tryRun("a", task), limit.tryRun("b", task), limit.tryRun("c", task)];
  assert.ok(admitted.every((p) => p !== undefined));
  assert.equal(limit.tryRun("d", task), undefined);
  assert.equal(limit.waiting, 2);
  g.open();
  await Promise.all(admitted);
  assert.equal(ran, 3);
  assert.ok(limit.tryRun("d", () => Promise.resolve()), "room again once the line drains");
});

Deno.test("TaskLimit.tryRun() gives each key at most maxPerKey places, running or waiting", async () => {
  const limit = new TaskLimit({ concurrency: 1, maxWaiting: 10, maxPerKey: 2 });
  const g = gate();
  const task = () => g.promise;
  const mine = [limit.tryRun("flood", task), limit.tryRun("flood", task)];
  assert.ok(mine.every((p) => p !== undefined));
  for (let i = 0; i < 5; i++) assert.equal(limit.tryRun("flood", task), undefined);
  const other = limit.tryRun("honest", task);
  assert.ok(other, "another key still gets a place");
  g.open();
  await Promise.all([...mine, other]);
  assert.equal(limit.pending("flood"), 0);
  assert.ok(limit.tryRun("flood", () => Promise.resolve()));
});

Deno.test("TaskLimit.tryRun() frees the place when a task fails", async () => {
  const limit = new TaskLimit({ concurrency: 1, maxPerKey: 1 });
  await assert.rejects(limit.tryRun("k", () => Promise.reject(new Error("boom")))!, /boom/);
  assert.equal(await limit.tryRun("k", () => Promise.resolve(7)), 7);
  assert.equal(limit.active, 0);
  assert.equal(limit.pending("k"), 0);
});

Deno.test("TaskLimit refuses bounds that aren't whole numbers in range", () => {
  assert.throws(() => new TaskLimit({ concurrency: 0 }), RangeError);
  assert.throws(() => new TaskLimit({ concurrency: 1, maxWaiting: -1 }), RangeError);
  assert.throws(() => new TaskLimit({ concurrency: 1, maxPerKey: 0 }), RangeError);
  assert.throws(() => new TaskLimit({ concurrency: 1.5 }), RangeError);
});
