import assert from "node:assert/strict";
import {
  ClosedPolls,
  LongPollingSocket,
  POLL_TIMEOUT_MS,
} from "../../../src/hub/transports/long_polling.ts";
import { FakeTime } from "../../support/fake_time.ts";

const text = async (response: Response) => new TextDecoder().decode(await response.arrayBuffer());

Deno.test("LongPollingSocket.poll() answers at once with everything queued", async () => {
  const socket = new LongPollingSocket();
  socket.send("a\x1e");
  socket.send(new Uint8Array([0x62, 0x1e]));
  assert.equal(socket.bufferedAmount, 4);
  const response = socket.poll();
  assert.equal(response.status, 200);
  assert.equal(await text(response), "a\x1eb\x1e");
  assert.equal(socket.bufferedAmount, 0);
  socket.close();
});

Deno.test("LongPollingSocket.poll() waits for the next message", async () => {
  const socket = new LongPollingSocket();
  const response = socket.poll();
  const body = text(response);
  socket.send("late\x1e");
  assert.equal(await body, "late\x1e");
  socket.close();
});

Deno.test("LongPollingSocket.close() hands the last messages over, then polls answer 204", async () => {
  let closed = 0;
  const socket = new LongPollingSocket();
  socket.onClose(() => closed++);
  const waiting = text(socket.poll());
  socket.send('{"type":7}\x1e');
  socket.close();
  socket.close();
  assert.equal(await waiting, '{"type":7}\x1e');
  assert.equal(closed, 1);
  assert.equal(socket.poll().status, 204);
  assert.throws(() => socket.send("x"));
});

Deno.test("LongPollingSocket: a client that leaves its poll keeps its messages for the next", async () => {
  const socket = new LongPollingSocket();
  const first = socket.poll();
  await first.body!.cancel();
  socket.send("kept\x1e");
  assert.equal(await text(socket.poll()), "kept\x1e");
  socket.close();
});

Deno.test("LongPollingSocket: a new poll ends the one waiting, empty", async () => {
  const socket = new LongPollingSocket();
  const first = text(socket.poll());
  const second = text(socket.poll());
  assert.equal(await first, "");
  socket.send("x");
  assert.equal(await second, "x");
  socket.close();
});

Deno.test("ClosedPolls keeps a closed socket a few seconds", () => {
  let now = 0;
  const closed = new ClosedPolls(() => now);
  const socket = new LongPollingSocket();
  closed.keep("t", socket);
  now = 4_999;
  assert.equal(closed.get("t"), socket);
  now = 5_000;
  assert.equal(closed.get("t"), undefined);
});

Deno.test("LongPollingSocket holds an empty poll for its timeout, then answers an empty 200", async () => {
  const time = new FakeTime();
  let ended = 0;
  const socket = new LongPollingSocket({ sleep: time.sleep });
  socket.onPollEnd(() => ended++);
  const response = socket.poll();
  assert.equal(response.status, 200);
  let answered = false;
  const body = text(response).then((t) => (answered = true, t));
  await time.advance(POLL_TIMEOUT_MS - 1);
  assert.ok(socket.holding);
  assert.ok(!answered, "still held");
  assert.deepEqual(time.waits, [POLL_TIMEOUT_MS]);
  await time.advance(1);
  assert.equal(await body, "");
  assert.ok(!socket.holding);
  assert.equal(ended, 1);
  socket.close();
});

Deno.test("LongPollingSocket: a poll answered or left ends its hold and tells", async () => {
  const time = new FakeTime();
  let ended = 0;
  const socket = new LongPollingSocket({ sleep: time.sleep, pollTimeoutMs: 1_000 });
  socket.onPollEnd(() => ended++);
  const answered = text(socket.poll());
  socket.send("x");
  assert.equal(await answered, "x");
  assert.equal(ended, 1);
  assert.equal(time.pending, 0, "the hold's timer is gone");
  const left = socket.poll();
  assert.ok(socket.holding);
  await left.body!.cancel();
  assert.ok(!socket.holding);
  assert.equal(ended, 2);
  assert.equal(time.pending, 0);
  // A poll answered at once was never held.
  socket.send("y");
  assert.equal(await text(socket.poll()), "y");
  assert.equal(ended, 2);
  socket.close();
});

Deno.test("LongPollingSocket waits under a proxy's 60 s idle timeout", () => {
  assert.ok(POLL_TIMEOUT_MS >= 30_000 && POLL_TIMEOUT_MS < 60_000);
  assert.equal(new LongPollingSocket().inherentKeepAlive, true);
});
