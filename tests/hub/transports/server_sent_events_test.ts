import assert from "node:assert/strict";
import {
  event,
  KEEP_ALIVE_MS,
  ServerSentEventsSocket,
} from "../../../src/hub/transports/server_sent_events.ts";
import { FakeTime } from "../../support/fake_time.ts";

Deno.test("event() makes every line of a message a data line", () => {
  assert.equal(event('{"type":6}\x1e'), 'data: {"type":6}\x1e\r\n\r\n');
  assert.equal(event("a\nb\r\nc"), "data: a\r\ndata: b\r\ndata: c\r\n\r\n");
});

Deno.test("ServerSentEventsSocket streams a comment, then one event per message", async () => {
  const socket = new ServerSentEventsSocket();
  assert.equal(socket.textOnly, true);
  assert.equal(socket.response.headers.get("content-type"), "text/event-stream");
  socket.send('{"type":6}\x1e');
  assert.ok(socket.bufferedAmount > 0, "queued until the response reads it");
  socket.close();
  const body = await socket.response.text();
  assert.equal(body, ':\r\ndata: {"type":6}\x1e\r\n\r\n');
});

Deno.test("ServerSentEventsSocket tells when the client goes away", async () => {
  const socket = new ServerSentEventsSocket();
  let gone = false;
  socket.onGone(() => gone = true);
  await socket.response.body!.cancel();
  assert.ok(gone);
  assert.throws(() => socket.send("x"));
});

Deno.test("ServerSentEventsSocket sends a keep-alive comment every interval until it ends", async () => {
  const time = new FakeTime();
  const socket = new ServerSentEventsSocket({ sleep: time.sleep });
  const reader = socket.response.body!.getReader();
  const decoder = new TextDecoder();
  const read = async () => decoder.decode((await reader.read()).value);
  assert.equal(await read(), ":\r\n", "the opening comment");
  let next = read();
  await time.advance(KEEP_ALIVE_MS - 1);
  assert.deepEqual(time.waits, [KEEP_ALIVE_MS]);
  await time.advance(1);
  assert.equal(await next, ":\r\n");
  socket.send('{"type":1}\x1e');
  assert.equal(await read(), 'data: {"type":1}\x1e\r\n\r\n');
  next = read();
  await time.advance(KEEP_ALIVE_MS);
  assert.equal(await next, ":\r\n");
  socket.close();
  assert.equal(time.pending, 0, "the keep-alive stopped");
  assert.equal((await reader.read()).done, true);
});

Deno.test("ServerSentEventsSocket stops its keep-alive when the client goes away", async () => {
  const time = new FakeTime();
  const socket = new ServerSentEventsSocket({ sleep: time.sleep });
  await time.advance(0);
  assert.equal(time.pending, 1);
  await socket.response.body!.cancel();
  assert.equal(time.pending, 0);
});

Deno.test("ServerSentEventsSocket keeps alive well inside a proxy's 60 s idle timeout", () => {
  assert.ok(KEEP_ALIVE_MS <= 20_000);
});
