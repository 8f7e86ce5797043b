import assert from "node:assert/strict";
import { event, ServerSentEventsSocket } from "../../../src/hub/transports/server_sent_events.ts";

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
