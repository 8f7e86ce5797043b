import assert from "node:assert/strict";
import { Hub } from "../../src/hub/hub.ts";
import { GameState } from "../../src/game/game_state.ts";
import { FakeSocket } from "./fake_socket.ts";
import { quietLog } from "../../src/log/problem_log.ts";

const RS = "\x1e";
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

function setup(maxClicksPerSecond = 1000) {
  let now = 1_000;
  const game = new GameState({ maxClicksPerSecond });
  game.open(3, 0, 30_000);
  const hub = new Hub({
    game,
    now: () => now,
    roundDurationMs: 30_000,
    lastRound: () => null,
    log: quietLog,
  });
  const connect = (id = 1, username = "ann", nbWins = 0) => {
    const socket = new FakeSocket();
    const connection = hub.open(socket, { id, username, expiresAt: 1e15 }, nbWins);
    return { socket, connection, send: (text: string) => hub.message(connection, text) };
  };
  return { hub, game, connect, tick: (ms: number) => (now += ms) };
}

function invoke(target: string, id?: string, args: unknown[] = []) {
  return JSON.stringify({ type: 1, invocationId: id, target, arguments: args }) + RS;
}

Deno.test("Hub answers the handshake, then sends GameInfo and PlayerCount", () => {
  const { connect, hub } = setup();
  const { socket, send } = connect(1, "ann", 4);
  send(HANDSHAKE);
  const [handshake, info, count] = socket.records();
  assert.deepEqual(handshake, {});
  assert.deepEqual(info, {
    type: 1,
    target: "GameInfo",
    arguments: [{
      nbWins: 4,
      multiplierCost: 10,
      score: 0,
      multiplier: 1,
      roundId: 3,
      roundEndsAt: 30_000,
      roundDurationMs: 30_000,
      serverTime: 1_000,
      maxClicksPerSecond: 1000,
      baseMultiplierCost: 10,
      lastRound: null,
    }],
  });
  assert.deepEqual(count, { type: 1, target: "PlayerCount", arguments: [{ online: 1 }] });
  hub.registry.closeAll();
});

Deno.test("Hub refuses another protocol in the handshake and closes", () => {
  const { connect, hub } = setup();
  const { socket, send } = connect();
  send(`{"protocol":"protobuf","version":1}${RS}`);
  assert.match(String(socket.records()[0].error), /protobuf/);
  assert.ok(socket.closed);
  assert.equal(hub.registry.size, 0);
});

Deno.test("Hub Increment completes with the standing; send() gets no completion", () => {
  const { connect, hub } = setup();
  const { socket, send } = connect();
  send(HANDSHAKE);
  const skip = socket.records().length;
  send(invoke("Increment", "a") + invoke("Increment") + invoke("increment", "b"));
  assert.deepEqual(socket.records(skip), [
    {
      type: 3,
      invocationId: "a",
      result: { score: 1, multiplier: 1, multiplierCost: 10, counted: true },
    },
    {
      type: 3,
      invocationId: "b",
      result: { score: 3, multiplier: 1, multiplierCost: 10, counted: true },
    },
  ]);
  hub.registry.closeAll();
});

Deno.test("Hub BuyMultiplier answers an error when the score can't pay, a result when it can", () => {
  const { connect, hub, game } = setup();
  const { socket, send, connection } = connect();
  send(HANDSHAKE);
  const skip = socket.records().length;
  send(invoke("BuyMultiplier", "1"));
  for (let i = 0; i < 10; i++) send(invoke("Increment"));
  send(invoke("BuyMultiplier", "2"));
  const [refused, bought] = socket.records(skip);
  assert.deepEqual(refused, {
    type: 3,
    invocationId: "1",
    error: "Not enough points: the next multiplier costs 10, you have 0",
  });
  assert.deepEqual(bought, {
    type: 3,
    invocationId: "2",
    result: { score: 0, multiplier: 2, multiplierCost: 20, counted: true },
  });
  assert.equal(game.standing(connection.player).multiplier, 2);
  hub.registry.closeAll();
});

Deno.test("Hub answers bad invocations with a completion error and keeps the connection", () => {
  const { connect, hub } = setup();
  const { socket, send } = connect();
  send(HANDSHAKE);
  const skip = socket.records().length;
  send(invoke("Nope", "1") + invoke("Increment", "2", [5]) + invoke("Nope"));
  send(JSON.stringify({ type: 4, invocationId: "3", target: "Increment", arguments: [] }) + RS);
  assert.deepEqual(socket.records(skip).map((r) => r.error), [
    "Unknown hub method 'Nope'",
    "Increment takes no arguments",
    "Streaming hub methods are not supported",
  ]);
  assert.equal(socket.closed, undefined);
  assert.equal(hub.registry.size, 1);
  hub.registry.closeAll();
});

Deno.test("Hub closes only the connection that breaks the protocol", () => {
  for (const bad of ["{oops" + RS, '{"type":99}' + RS, "x".repeat(40_000)]) {
    const { connect, hub } = setup();
    const good = connect(1, "ann");
    const rogue = connect(2, "bot");
    good.send(HANDSHAKE);
    rogue.send(HANDSHAKE);
    rogue.send(bad);
    assert.equal(rogue.socket.records().at(-1)?.type, 7, bad.slice(0, 20));
    assert.ok(rogue.socket.closed);
    const skip = good.socket.records().length;
    good.send(invoke("Increment", "1"));
    assert.equal(good.socket.records(skip)[0].type, 3);
    assert.equal(hub.registry.size, 1);
    hub.registry.closeAll();
  }
});

Deno.test("Hub refuses binary frames with a close error", () => {
  const { connect, hub } = setup();
  const { socket, connection, send } = connect();
  send(HANDSHAKE);
  hub.message(connection, new Uint8Array([1, 2, 3]).buffer);
  assert.match(String(socket.records().at(-1)?.error), /Binary messages are not supported/);
  assert.ok(socket.closed);
  assert.equal(hub.registry.size, 0);
});

Deno.test("Hub sends Throttled at most once a second while clicks are dropped", () => {
  const { connect, hub, tick } = setup(2);
  const { socket, send } = connect();
  send(HANDSHAKE);
  const skip = socket.records().length;
  for (let i = 0; i < 10; i++) send(invoke("Increment", String(i)));
  tick(500);
  send(invoke("Increment", "x"));
  const records = socket.records(skip);
  const throttled = records.filter((r) => r.target === "Throttled");
  assert.deepEqual(throttled.map((r) => r.arguments), [[{ maxClicksPerSecond: 2 }]]);
  const counted = records.filter((r) => r.type === 3).map((r) =>
    (r.result as { counted: boolean }).counted
  );
  assert.deepEqual(counted.slice(0, 3), [true, true, false]);
  hub.registry.closeAll();
});

Deno.test("Hub shares one standing between two tabs of a player", () => {
  const { connect, hub } = setup();
  const tab1 = connect(5, "ann");
  const tab2 = connect(5, "ann");
  tab1.send(HANDSHAKE);
  tab2.send(HANDSHAKE);
  tab1.send(invoke("Increment"));
  const skip = tab2.socket.records().length;
  tab2.send(invoke("Increment", "1"));
  assert.equal((tab2.socket.records(skip)[0].result as { score: number }).score, 2);
  hub.closed(tab1.connection);
  assert.equal(hub.registry.online, 1);
  hub.registry.closeAll();
});

Deno.test("Hub broadcast reaches every connection past its handshake", () => {
  const { connect, hub } = setup();
  const a = connect(1, "ann");
  const b = connect(2, "bob");
  const pending = connect(3, "cat");
  a.send(HANDSHAKE);
  b.send(HANDSHAKE);
  hub.broadcast("EndRound", {
    winners: [],
    nbClicks: 0,
    roundId: 3,
    nextRoundEndsAt: 60_000,
    standings: [],
  });
  for (const { socket } of [a, b]) assert.equal(socket.records().at(-1)?.target, "EndRound");
  assert.equal(pending.socket.sent.length, 0);
  hub.registry.closeAll();
});
