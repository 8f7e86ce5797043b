import assert from "node:assert/strict";
import { type Connection, ConnectionRegistry, GOING_AWAY } from "../../src/hub/connections.ts";
import { CloseReason } from "../../src/hub/wire.ts";
import { FakeSocket } from "./fake_socket.ts";

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
  assert.equal(registry.size, 2);
  assert.equal(registry.online, 1);
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
