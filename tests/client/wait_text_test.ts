import assert from "node:assert/strict";
import { clockText, refusalOf, spokenWait, waitText } from "../../static/src/wait_text.ts";

Deno.test("clockText() reads minutes and seconds, rounded up to the second", () => {
  assert.equal(clockText(898_000), "14:58");
  assert.equal(clockText(897_001), "14:58");
  assert.equal(clockText(60_000), "1:00");
  assert.equal(clockText(5_000), "0:05");
  assert.equal(clockText(1), "0:01");
  assert.equal(clockText(0), "0:00");
  assert.equal(clockText(-50), "0:00");
  assert.equal(clockText(3_723_000), "1:02:03");
});

Deno.test("spokenWait() says the wait in words, in minutes past one", () => {
  assert.equal(spokenWait(898_000), "15 minutes");
  assert.equal(spokenWait(60_000), "1 minute");
  assert.equal(spokenWait(40_000), "40 seconds");
  assert.equal(spokenWait(1_000), "1 second");
  assert.equal(spokenWait(0), "1 second");
});

Deno.test("refusalOf() drops a vague 'try again later' and keeps the rest", () => {
  assert.equal(refusalOf("Too many failed logins; try again later"), "Too many failed logins");
  assert.equal(
    refusalOf("Too many registrations from this address; try again later"),
    "Too many registrations from this address",
  );
  assert.equal(refusalOf("Too many attempts."), "Too many attempts");
  assert.equal(refusalOf("Try again later"), "Try again later");
});

Deno.test("waitText() says the refusal once, with the time left as a clock", () => {
  assert.equal(
    waitText("Too many failed logins; try again later", 898_000),
    "Too many failed logins. Try again in 14:58",
  );
  // A second later, the same sentence a second shorter.
  assert.equal(
    waitText("Too many failed logins; try again later", 897_000),
    "Too many failed logins. Try again in 14:57",
  );
  const text = waitText("Too many failed logins; try again later", 5_000);
  assert.equal(text.match(/try again/gi)?.length, 1);
});
