import assert from "node:assert/strict";
import { bucketShape, newBucket, takeClick } from "../../src/game/click_limit.ts";

Deno.test("takeClick() allows a burst up to the rate, then refuses", () => {
  const bucket = newBucket(25, 0);
  let counted = 0;
  for (let i = 0; i < 100; i++) if (takeClick(bucket, 25, 0)) counted++;
  assert.equal(counted, 25);
});

Deno.test("takeClick() refills at the rate per second", () => {
  const bucket = newBucket(10, 0);
  for (let i = 0; i < 10; i++) takeClick(bucket, 10, 0);
  assert.equal(takeClick(bucket, 10, 50), false);
  assert.equal(takeClick(bucket, 10, 100), true);
  assert.equal(takeClick(bucket, 10, 100), false);
});

Deno.test("takeClick() never refuses a steady clicker under the rate", () => {
  const bucket = newBucket(25, 0);
  for (let t = 0; t < 60_000; t += 50) assert.equal(takeClick(bucket, 25, t), true); // 20/s
});

Deno.test("takeClick() caps a flood at rate × seconds + rate", () => {
  const bucket = newBucket(25, 0);
  let counted = 0;
  for (let t = 0; t <= 10_000; t += 1) if (takeClick(bucket, 25, t)) counted++;
  assert.ok(counted <= 25 * 10 + 25, `${counted} clicks counted`);
  assert.ok(counted >= 25 * 10, `${counted} clicks counted`);
});

Deno.test("bucketShape() holds a second's worth of clicks and refills a second's worth each second", () => {
  assert.deepEqual(bucketShape(25), { capacity: 25, refillPerSecond: 25 });
  const { capacity } = bucketShape(7);
  assert.equal(newBucket(7, 0).tokens, capacity);
});
