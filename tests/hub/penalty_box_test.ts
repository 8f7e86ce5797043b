import assert from "node:assert/strict";
import { PenaltyBox } from "../../src/hub/penalty_box.ts";

Deno.test("PenaltyBox keeps a barred key out for the first stay, then lets it back", () => {
  const box = new PenaltyBox({ firstMs: 1000 });
  assert.equal(box.retryAfter(7, 0), 0);
  box.bar(7, 100);
  assert.equal(box.retryAfter(7, 100), 1000);
  assert.equal(box.retryAfter(7, 600), 500);
  assert.equal(box.retryAfter(7, 1100), 0);
  assert.equal(box.retryAfter(8, 600), 0, "another key is free");
});

Deno.test("PenaltyBox doubles the stay of a repeat offender, up to the longest", () => {
  const box = new PenaltyBox({ firstMs: 1000, maxMs: 3000 });
  box.bar("p", 0);
  box.bar("p", 1500); // back and offending again soon after
  assert.equal(box.retryAfter("p", 1500), 2000);
  box.bar("p", 4000);
  assert.equal(box.retryAfter("p", 4000), 3000);
  box.bar("p", 100_000); // long after: a first offence again
  assert.equal(box.retryAfter("p", 100_000), 1000);
});

Deno.test("PenaltyBox forgets the oldest key when full", () => {
  const box = new PenaltyBox({ firstMs: 1000, maxKeys: 2 });
  box.bar(1, 0);
  box.bar(2, 0);
  box.bar(3, 0);
  assert.equal(box.retryAfter(1, 0), 0);
  assert.equal(box.retryAfter(3, 0), 1000);
});
