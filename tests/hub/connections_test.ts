import assert from "node:assert/strict";
import { type Connection, ConnectionRegistry, GOING_AWAY } from "../../src/hub/connections.ts";
import { JSON_PROTOCOL } from "../../src/hub/json_protocol.ts";
import { MESSAGEPACK_PROTOCOL } from "../../src/hub/messagepack_protocol.ts";
import { ReplayBuffer } from "../../src/hub/replay_buffer.ts";
import { CloseReason } from "../../src/hub/wire.ts";
import { LongPollingSocket } from "../../src/hub/transports/long_polling.ts";
import { FakeSocket } from "./fake_socket.ts";
import { SharedFrame } from "../../src/hub/shared_frame.ts";
import type { Frame } from "../../src/hub/protocol.ts";
import { FakeTime } from "../support/fake_time.ts";

let nextId = 0;
function connection(
  playerId: number,
  now = 0,
  expiresAt = 1e15,
): Connection & { socket: FakeSocket } {
  return {
    id: String(++nextId),
    playerId,
    socket: new FakeSocket(),
    protocol: JSON_PROTOCOL,
    expiresAt,
    lastSeen: now,
    ready: true,
    throttledAt: 0,
  };
}

Deno.test("ConnectionRegistry.add() closes a player's oldest connection past the limit", () => {
  const registry = new ConnectionRegistry({ maxPerPlayer: 2 });
  const [a, b, c] = [connection(1), connection(1), connection(1)];
  for (const x of [a, b, c]) registry.add(x);
  assert.ok(a.socket.closed);
  assert.match(String(a.socket.records().at(-1)?.error), /Too many connections: at most 2/);
  // Said outright: a client that reconnected would close the next oldest, and so on.
  assert.equal(a.socket.records().at(-1)?.allowReconnect, false);
  assert.equal(a.socket.records().at(-1)?.reason, CloseReason.TooManyConnections);
  assert.equal(registry.size, 2);
  assert.equal(registry.online, 1);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.makeRoom() closes the oldest before a new connection comes", () => {
  const removed: string[] = [];
  const registry = new ConnectionRegistry({
    maxPerPlayer: 2,
    onRemove: (connection) => removed.push(connection.id),
  });
  const [a, b, c, other] = [connection(1), connection(1), connection(1), connection(2)];
  for (const x of [a, b, other]) registry.add(x);
  registry.makeRoom(2);
  assert.deepEqual(removed, [], "a player under the limit keeps every connection");
  registry.makeRoom(1);
  // The oldest left before the new one joins: adding it closes nothing more.
  assert.deepEqual(removed, [a.id]);
  assert.equal(a.socket.records().at(-1)?.allowReconnect, false);
  assert.equal(a.socket.records().at(-1)?.reason, CloseReason.TooManyConnections);
  registry.add(c);
  assert.deepEqual(removed, [a.id]);
  assert.deepEqual(registry.connectionsOf(1), [b, c]);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.send() drops a client that doesn't read", () => {
  const removed: string[] = [];
  const registry = new ConnectionRegistry({
    maxBufferedBytes: 100,
    onRemove: (c) => removed.push(c.id),
  });
  const slow = connection(1);
  registry.add(slow);
  slow.socket.bufferedAmount = 101;
  registry.send(slow, "hello");
  assert.ok(slow.socket.closed);
  assert.match(String(slow.socket.records().at(-1)?.error), /Client too slow/);
  assert.deepEqual(removed, [slow.id]);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.sweep() pings, drops silent clients and expired tokens", () => {
  let now = 0;
  const registry = new ConnectionRegistry({ now: () => now });
  const chatty = connection(1, 0);
  const silent = connection(2, 0);
  const expiring = connection(3, 0, 20_000);
  for (const x of [chatty, silent, expiring]) registry.add(x);
  now = 15_000;
  chatty.lastSeen = now;
  registry.sweep();
  assert.ok(chatty.socket.sent.includes('{"type":6}\x1e'));
  now = 25_000;
  chatty.lastSeen = now;
  registry.sweep();
  assert.match(String(expiring.socket.records().at(-1)?.error), /Token expired/);
  now = 31_000;
  registry.sweep();
  assert.match(String(silent.socket.records().at(-1)?.error), /Server timeout/);
  assert.equal(chatty.socket.closed, undefined);
  assert.equal(registry.size, 1);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.closeAll() closes every socket with 1001", () => {
  const registry = new ConnectionRegistry();
  const all = [connection(1), connection(2)];
  for (const x of all) registry.add(x);
  registry.closeAll();
  registry.closeAll();
  for (const x of all) assert.equal(x.socket.closed?.code, GOING_AWAY);
  assert.equal(registry.size, 0);
});

Deno.test("ConnectionRegistry sends PlayerCount at most twice a second", async () => {
  const registry = new ConnectionRegistry({ playerCountIntervalMs: 50 });
  const watcher = connection(1);
  registry.add(watcher);
  for (let i = 2; i < 10; i++) registry.add(connection(i));
  const counts = () =>
    watcher.socket.records().filter((r) => r.target === "PlayerCount").map((r) =>
      (r.arguments as { online: number }[])[0].online
    );
  assert.deepEqual(counts(), [1]);
  const { promise, resolve } = Promise.withResolvers<void>();
  const poll = setInterval(() => counts().length === 2 && resolve(), 5);
  await promise;
  clearInterval(poll);
  assert.deepEqual(counts(), [1, 9]);
  registry.closeAll();
});

Deno.test("ConnectionRegistry closes with a reason code for each cause", () => {
  let now = 0;
  const registry = new ConnectionRegistry({
    now: () => now,
    maxPerPlayer: 1,
    maxBufferedBytes: 10,
  });
  const [oldest, newest] = [connection(1), connection(1)];
  registry.add(oldest);
  registry.add(newest);
  const slow = connection(2);
  registry.add(slow);
  slow.socket.bufferedAmount = 11;
  registry.send(slow, "hello");
  const expiring = connection(3, 0, 1_000);
  registry.add(expiring);
  now = 1_000;
  newest.lastSeen = now;
  registry.sweep();
  const last = (c: { socket: FakeSocket }) => c.socket.records().at(-1);
  assert.equal(last(oldest)?.reason, CloseReason.TooManyConnections);
  assert.equal(last(slow)?.reason, CloseReason.ClientTooSlow);
  assert.equal(last(expiring)?.reason, CloseReason.TokenExpired);
  registry.closeAll();
  assert.deepEqual(last(newest), {
    type: 7,
    error: "Server is shutting down",
    allowReconnect: true,
    reason: CloseReason.ShuttingDown,
  });
});

Deno.test("ConnectionRegistry.sweep() names the idle timeout it was given", () => {
  let now = 0;
  const registry = new ConnectionRegistry({ now: () => now, idleTimeoutMs: 10_000 });
  const silent = connection(1, 0);
  registry.add(silent);
  now = 10_001;
  registry.sweep();
  const close = silent.socket.records().at(-1);
  assert.equal(close?.error, "Server timeout: no message from the client in 10 seconds");
  assert.equal(close?.reason, CloseReason.ServerTimeout);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.broadcast() encodes once per protocol", () => {
  const registry = new ConnectionRegistry({ playerCountIntervalMs: 1e9 });
  const json = [connection(1), connection(2)];
  const packed = [connection(3), connection(4)];
  for (const c of packed) c.protocol = MESSAGEPACK_PROTOCOL;
  for (const c of [...json, ...packed]) registry.add(c);
  const encoded: string[] = [];
  registry.broadcast((protocol) => {
    encoded.push(protocol.name);
    return protocol.encodeInvocation("PlayerCount", { online: 4 });
  });
  assert.deepEqual(encoded.sort(), ["json", "messagepack"]);
  for (const c of json) {
    assert.deepEqual(c.socket.records().at(-1), {
      type: 1,
      target: "PlayerCount",
      arguments: [{ online: 4 }],
    });
  }
  const [a, b] = packed.map((c) => c.socket.sentBytes.at(-1));
  assert.ok(a instanceof Uint8Array && a === b, "the same bytes for both");
  registry.closeAll();
});

Deno.test("ConnectionRegistry.broadcast() hands every socket that can share it one frame", () => {
  const registry = new ConnectionRegistry({ playerCountIntervalMs: 1e9 });
  const shared: SharedFrame[] = [];
  const sharing = [connection(1), connection(2), connection(3)];
  for (const c of sharing) c.socket.sendShared = (frame) => shared.push(frame);
  const plain = connection(4);
  const resumable = { ...connection(5), replay: new ReplayBuffer(10_000) };
  resumable.socket.sendShared = (frame) => shared.push(frame);
  for (const c of [...sharing, plain, resumable]) registry.add(c);
  shared.length = 0;
  const made: string[] = [];
  const make = (data: Frame) => {
    made.push(String(data));
    return `framed ${data}`;
  };
  registry.broadcast((protocol) => protocol.encodeInvocation("PlayerCount", { online: 5 }));
  assert.equal(shared.length, 4);
  assert.ok(shared.every((frame) => frame === shared[0]), "one frame for all");
  assert.ok(shared.every((frame) => frame.as(make) === "framed " + shared[0].data));
  assert.equal(made.length, 1, "made once for every socket");
  assert.deepEqual(plain.socket.records().at(-1), {
    type: 1,
    target: "PlayerCount",
    arguments: [{ online: 5 }],
  });
  // Kept for a replay like any message sent: it is the first the client hasn't acknowledged.
  assert.deepEqual(resumable.replay.resume(), { sequenceId: 1, frames: [shared[0].data] });
  registry.closeAll();
});

Deno.test("ConnectionRegistry.sendShared() hands the socket the shared frame, and keeps it for a replay", () => {
  const registry = new ConnectionRegistry({ playerCountIntervalMs: 1e9 });
  const shared: SharedFrame[] = [];
  const sharing = connection(1);
  sharing.socket.sendShared = (frame) => shared.push(frame);
  const plain = connection(2);
  const kept = { ...connection(3), replay: new ReplayBuffer(10_000) };
  kept.socket.sendShared = (frame) => shared.push(frame);
  for (const c of [sharing, plain, kept]) registry.add(c);
  shared.length = 0;
  const frame = new SharedFrame(JSON_PROTOCOL.encodeInvocation("PlayerCount", { online: 3 }));
  for (const c of [sharing, plain, kept]) registry.sendShared(c, frame);
  assert.deepEqual(shared, [frame, frame]);
  assert.deepEqual(plain.socket.records().at(-1), {
    type: 1,
    target: "PlayerCount",
    arguments: [{ online: 3 }],
  });
  assert.deepEqual(kept.replay.resume(), { sequenceId: 1, frames: [frame.data] });
  registry.closeAll();
});

Deno.test("ConnectionRegistry.broadcast() goes out in batches; a connection sent a message first gets the broadcast before it", () => {
  const batches: (() => void)[] = [];
  const registry = new ConnectionRegistry({
    playerCountIntervalMs: 1e9,
    broadcastBatch: 2,
    nextBatch: (run) => batches.push(run),
  });
  const all = [1, 2, 3, 4, 5].map((player) => connection(player));
  for (const c of all) registry.add(c);
  // What joining sent (the first player count) is not what is looked at.
  for (const c of all) c.socket.sent.length = 0;
  const targets = () => all.map((c) => c.socket.records().map((r) => r.target ?? r.result));
  const sent: number[] = [];
  registry.broadcast((protocol) => protocol.encodeInvocation("PlayerCount", { online: 1 }), {
    sent: () => sent.push(1),
  });
  registry.broadcast((protocol) => protocol.encodeInvocation("PlayerCount", { online: 2 }), {
    sent: () => sent.push(2),
  });
  // The first batch at once; the rest, and the broadcast after it, wait their turn.
  assert.deepEqual(targets(), [["PlayerCount"], ["PlayerCount"], [], [], []]);
  registry.send(all[4], all[4].protocol.encodeResult("7", "mine"));
  registry.remove(all[3]);
  assert.deepEqual(sent, [], "neither is written to all yet");
  while (batches.length > 0) batches.shift()!();
  assert.deepEqual(sent, [1, 2]);
  const online = all.map((c) =>
    c.socket.records().map((r) => (r.arguments as { online: number }[] | undefined)?.[0].online)
  );
  assert.deepEqual(online, [[1, 2], [1, 2], [1, 2], [], [1, 2, undefined]]);
  assert.deepEqual(all[4].socket.records()[2].result, "mine", "after both broadcasts");
  registry.closeAll();
});

Deno.test("ConnectionRegistry.byToken() finds a negotiated connection until it is removed", () => {
  const registry = new ConnectionRegistry();
  const negotiated = { ...connection(1), token: "secret" };
  registry.add(negotiated);
  assert.equal(registry.byToken("secret"), negotiated);
  registry.remove(negotiated);
  assert.equal(registry.byToken("secret"), undefined);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.remove() with a socket ignores one a resume replaced", () => {
  const registry = new ConnectionRegistry();
  const c = connection(1);
  registry.add(c);
  const old = c.socket;
  c.socket = new FakeSocket();
  registry.remove(c, old);
  assert.equal(registry.size, 1);
  registry.remove(c, c.socket);
  assert.equal(registry.size, 0);
});

/** A connection that negotiated stateful reconnect and finished its handshake. */
function resumable(playerId: number) {
  const c = connection(playerId);
  c.replay = new ReplayBuffer(1000);
  return c;
}

Deno.test("ConnectionRegistry.lost() keeps a resumable connection and what is sent meanwhile", () => {
  let now = 0;
  const registry = new ConnectionRegistry({ now: () => now, reconnectWindowMs: 5000 });
  const c = resumable(1);
  const plain = connection(2);
  registry.add(c);
  registry.add(plain);
  registry.send(c, "one\x1e");
  const lostSocket = c.socket;
  registry.lost(c, lostSocket);
  registry.lost(plain, plain.socket);
  assert.equal(registry.size, 1, "only the resumable one is kept");
  registry.send(c, "two\x1e");
  assert.deepEqual(lostSocket.sent, ["one\x1e"]);
  now = 4000;
  registry.sweep();
  assert.equal(registry.get(c.id), c, "within the window: kept, never timed out");
  const fresh = new FakeSocket();
  registry.resume(c, fresh);
  assert.equal(c.socket, fresh);
  assert.deepEqual(fresh.sent, ['{"type":9,"sequenceId":1}\x1e', "one\x1e", "two\x1e"]);
  assert.equal(lostSocket.closed?.code, GOING_AWAY);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.sweep() drops a lost connection once the window passed", () => {
  let now = 0;
  const removed: string[] = [];
  const registry = new ConnectionRegistry({
    now: () => now,
    reconnectWindowMs: 5000,
    onRemove: (c) => removed.push(c.id),
  });
  const c = resumable(1);
  registry.add(c);
  registry.lost(c, c.socket);
  now = 5001;
  registry.sweep();
  assert.deepEqual(removed, [c.id]);
  assert.equal(registry.online, 0);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.sweep() acknowledges what a resumable connection received", () => {
  const registry = new ConnectionRegistry({ now: () => 0 });
  const c = resumable(1);
  registry.add(c);
  c.replay!.accept({ type: 1, invocationId: "1", target: "Increment", arguments: [] });
  registry.sweep();
  registry.sweep();
  assert.deepEqual(c.socket.records().filter((r) => r.type === 8), [{ type: 8, sequenceId: 1 }]);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.send() drops a resumable client that never acknowledges", () => {
  const registry = new ConnectionRegistry();
  const c = connection(1);
  c.replay = new ReplayBuffer(20);
  registry.add(c);
  registry.send(c, "x".repeat(15));
  registry.send(c, "x".repeat(15));
  assert.equal(c.socket.records().at(-1)?.reason, CloseReason.ClientTooSlow);
  assert.equal(registry.size, 0);
});

Deno.test("ConnectionRegistry.heard() keeps a long-polling client from timing out", () => {
  let now = 0;
  const registry = new ConnectionRegistry({ now: () => now, idleTimeoutMs: 10_000 });
  const c = connection(1);
  registry.add(c);
  now = 9_000;
  registry.heard(c);
  now = 15_000;
  registry.sweep();
  assert.equal(registry.size, 1);
  registry.closeAll();
});

Deno.test("ConnectionRegistry.sweep() sends a long-polling client no pings, and keeps it while it polls", async () => {
  let now = 0;
  const time = new FakeTime();
  const registry = new ConnectionRegistry({ now: () => now });
  const socket = new LongPollingSocket({ sleep: time.sleep });
  const c = { ...connection(1), socket };
  socket.onPollEnd(() => registry.heard(c));
  registry.add(c);
  const poll = socket.poll();
  assert.ok(socket.holding);
  now = 15_000;
  registry.sweep();
  assert.equal(socket.bufferedAmount, 0, "no ping queued");
  assert.ok(socket.holding, "no ping answered the poll");
  // Past the idle timeout with the poll still held: the client is there.
  now = 45_000;
  registry.sweep();
  assert.equal(registry.size, 1);
  // The client leaves its poll: its idle time counts from now.
  await poll.body!.cancel();
  assert.ok(!socket.holding);
  now = 75_000;
  registry.sweep();
  assert.equal(registry.size, 1);
  now = 75_001;
  registry.sweep();
  assert.equal(registry.size, 0);
  assert.ok(socket.closed);
  assert.equal(time.pending, 0, "the hold's timer is gone");
});
