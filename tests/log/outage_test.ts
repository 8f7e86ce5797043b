import assert from "node:assert/strict";
import { Outage } from "../../src/log/outage.ts";

Deno.test("Outage.fail() is true only for the first failure of an outage", () => {
  const outage = new Outage();
  assert.equal(outage.down, false);
  assert.equal(outage.fail(1000), true);
  assert.equal(outage.fail(1500), false);
  assert.equal(outage.fail(2000), false);
  assert.equal(outage.down, true);
  assert.equal(outage.failures, 3);
});

Deno.test("Outage.recover() tells the outage once, with its failures and length", () => {
  const outage = new Outage();
  assert.equal(outage.recover(500), undefined, "no outage, nothing to tell");
  outage.fail(1000);
  outage.fail(1500);
  assert.deepEqual(outage.recover(4000), { failures: 2, durationMs: 3000 });
  assert.equal(outage.recover(4500), undefined);
  assert.equal(outage.down, false);
  assert.equal(outage.fail(5000), true, "a new outage is told again");
});
