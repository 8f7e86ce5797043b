import assert from "node:assert/strict";
import { chargeMessage, newBudgetUse } from "../../src/hub/message_budget.ts";

const BUDGET = { messagesPerSecond: 3, bytesPerSecond: 100 };

Deno.test("chargeMessage() allows the budget's messages in a second, refuses the next", () => {
  const use = newBudgetUse();
  for (let i = 0; i < 3; i++) assert.equal(chargeMessage(use, 7, 10, BUDGET), undefined);
  assert.match(String(chargeMessage(use, 7, 10, BUDGET)), /Too many messages: at most 3 a second/);
});

Deno.test("chargeMessage() refuses bytes past the budget, whatever the message count", () => {
  const use = newBudgetUse();
  assert.equal(chargeMessage(use, 0, 100, BUDGET), undefined);
  assert.match(String(chargeMessage(use, 0, 1, BUDGET)), /Too much data: at most 100 bytes/);
});

Deno.test("chargeMessage() starts afresh when the second moves on", () => {
  const use = newBudgetUse();
  for (let i = 0; i < 3; i++) chargeMessage(use, 1, 30, BUDGET);
  assert.equal(chargeMessage(use, 2, 30, BUDGET), undefined);
  assert.deepEqual(use, { second: 2, messages: 1, bytes: 30 });
});
