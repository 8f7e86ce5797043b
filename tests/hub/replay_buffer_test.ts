import assert from "node:assert/strict";
import { isTrackable, ReplayBuffer } from "../../src/hub/replay_buffer.ts";
import { ProtocolError } from "../../src/hub/protocol.ts";
import type { ClientMessage } from "../../src/hub/protocol.ts";

const click: ClientMessage = { type: 1, invocationId: "1", target: "Increment", arguments: [] };
const ping: ClientMessage = { type: 6 };
const sequence = (sequenceId: number): ClientMessage => ({ type: 9, sequenceId });

Deno.test("isTrackable() numbers invocations, stream items, completions and cancels only", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].filter(isTrackable), [1, 2, 3, 4, 5]);
});

Deno.test("ReplayBuffer.resume() replays what was not acknowledged, numbered from the first", () => {
  const buffer = new ReplayBuffer(1000);
  for (const frame of ["a", "b", "c", "d"]) assert.ok(buffer.add(frame));
  buffer.ack(2);
  assert.equal(buffer.bytes, 2);
  assert.deepEqual(buffer.resume(), { sequenceId: 3, frames: ["c", "d"] });
  buffer.ack(4);
  assert.deepEqual(buffer.resume(), { sequenceId: 5, frames: [] });
  buffer.add("e");
  assert.deepEqual(buffer.resume(), { sequenceId: 5, frames: ["e"] });
});

Deno.test("ReplayBuffer.add() reports when the unacknowledged messages outgrow the bound", () => {
  const buffer = new ReplayBuffer(10);
  assert.ok(buffer.add("12345"));
  assert.ok(buffer.add(new Uint8Array(5)));
  assert.equal(buffer.add("x"), false);
  buffer.ack(3);
  assert.equal(buffer.bytes, 0);
});

Deno.test("ReplayBuffer.ack() forgets many messages and keeps the numbering", () => {
  const buffer = new ReplayBuffer(1e6);
  for (let i = 1; i <= 500; i++) buffer.add(String(i));
  for (let i = 10; i <= 490; i += 10) buffer.ack(i);
  const { sequenceId, frames } = buffer.resume();
  assert.equal(sequenceId, 491);
  assert.deepEqual(frames, ["491", "492", "493", "494", "495", "496", "497", "498", "499", "500"]);
});

Deno.test("ReplayBuffer.accept() skips messages the client sends again after a resume", () => {
  const buffer = new ReplayBuffer(1000);
  assert.ok(buffer.accept(click)); // 1
  assert.ok(buffer.accept(ping)); // not numbered
  assert.ok(buffer.accept(click)); // 2
  assert.equal(buffer.ackDue(), 2);
  assert.equal(buffer.ackDue(), undefined);
  buffer.resume();
  // Nothing counts until the client's Sequence.
  assert.equal(buffer.accept(click), false);
  assert.ok(buffer.accept(sequence(2)));
  buffer.restart(2);
  assert.equal(buffer.accept(click), false, "number 2 again: a repeat");
  assert.ok(buffer.accept(click), "number 3: new");
  assert.equal(buffer.ackDue(), 3);
});

Deno.test("ReplayBuffer.restart() refuses a sequence beyond what was received", () => {
  const buffer = new ReplayBuffer(1000);
  buffer.accept(click);
  buffer.restart(2);
  assert.throws(() => buffer.restart(3), ProtocolError);
});
