import assert from "node:assert/strict";
import { Hub } from "../../src/hub/hub.ts";
import { STANDING_INTERVAL_MS } from "../../src/hub/standing_sync.ts";
import { GameState } from "../../src/game/game_state.ts";
import { FakeSocket } from "./fake_socket.ts";
import { quietLog } from "../../src/log/problem_log.ts";
import { FakeTime } from "../support/fake_time.ts";

const RS = "\x1e";
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

function setup() {
  const time = new FakeTime(1_000);
  const game = new GameState({ maxClicksPerSecond: 1000 });
  game.open(3, 0, 30_000);
  const lastRound = { roundId: 2, winners: ["bob"], nbClicks: 7 };
  const hub = new Hub({
    game,
    now: time.clock,
    sleep: time.sleep,
    roundDurationMs: 30_000,
    log: quietLog,
    lastRound: () => lastRound,
  });
  const connect = (id = 1, username = "ann") => {
    const socket = new FakeSocket();
    const connection = hub.open(socket, { id, username, expiresAt: 1e15 }, 0);
    hub.message(connection, HANDSHAKE);
    return { socket, connection, send: (text: string) => hub.message(connection, text) };
  };
  return { hub, connect, time, tick: (ms: number) => (time.now += ms) };
}

function invoke(target: string, id?: string) {
  return JSON.stringify({ type: 1, invocationId: id, target, arguments: [] }) + RS;
}

function standings(socket: FakeSocket) {
  return socket.records().filter((r) => r.target === "Standing").map((r) =>
    (r.arguments as unknown[])[0]
  );
}

Deno.test("Hub sends GameInfo with the last round announced", () => {
  const { hub, connect } = setup();
  const { socket } = connect();
  const info = socket.records().find((r) => r.target === "GameInfo")!;
  assert.deepEqual(
    (info.arguments as { lastRound: unknown }[])[0].lastRound,
    { roundId: 2, winners: ["bob"], nbClicks: 7 },
  );
  hub.registry.closeAll();
});

Deno.test("Hub tells a player's other connections their new standing, not the one that moved", () => {
  const { hub, connect, tick } = setup();
  const tab1 = connect(1);
  const tab2 = connect(1);
  const other = connect(2, "bob");
  tab1.send(invoke("Increment", "1"));
  assert.deepEqual(standings(tab2.socket), [
    { score: 1, multiplier: 1, multiplierCost: 10, counted: true },
  ]);
  assert.deepEqual(standings(tab1.socket), []);
  assert.deepEqual(standings(other.socket), []);

  // A purchase in the second tab reaches the first.
  for (let i = 0; i < 9; i++) {
    tick(STANDING_INTERVAL_MS);
    tab1.send(invoke("Increment"));
  }
  tick(STANDING_INTERVAL_MS);
  tab2.send(invoke("BuyMultiplier", "2"));
  assert.deepEqual(standings(tab1.socket).at(-1), {
    score: 0,
    multiplier: 2,
    multiplierCost: 20,
    counted: true,
  });
  hub.registry.closeAll();
});

Deno.test("Hub sends a connection at most one Standing per interval, then the latest", async () => {
  const { hub, connect, time } = setup();
  const tab1 = connect(1);
  const tab2 = connect(1);
  for (let i = 0; i < 10; i++) tab1.send(invoke("Increment"));
  // The first at once, the rest held back: the clock has not moved.
  assert.deepEqual(standings(tab2.socket).map((s) => (s as { score: number }).score), [1]);
  await time.advance(STANDING_INTERVAL_MS - 1);
  assert.deepEqual(standings(tab2.socket).map((s) => (s as { score: number }).score), [1]);
  await time.advance(1);
  assert.deepEqual(standings(tab2.socket).map((s) => (s as { score: number }).score), [1, 10]);
  hub.registry.closeAll();
});

Deno.test("Hub sends no Standing to a connection that closed meanwhile", async () => {
  const { hub, connect, time } = setup();
  const tab1 = connect(1);
  const tab2 = connect(1);
  tab1.send(invoke("Increment"));
  tab1.send(invoke("Increment"));
  hub.closed(tab2.connection);
  await time.advance(STANDING_INTERVAL_MS);
  assert.equal(standings(tab2.socket).length, 1);
  hub.registry.closeAll();
});

Deno.test("ConnectionRegistry.extendExpiry() moves a player's connections' expiry, never back", () => {
  const { hub, connect } = setup();
  const tab1 = connect(1);
  const tab2 = connect(1);
  const other = connect(2, "bob");
  hub.registry.extendExpiry(1, 2e15);
  assert.equal(tab1.connection.expiresAt, 2e15);
  assert.equal(tab2.connection.expiresAt, 2e15);
  assert.equal(other.connection.expiresAt, 1e15);
  hub.registry.extendExpiry(1, 5);
  assert.equal(tab1.connection.expiresAt, 2e15);
  hub.registry.closeAll();
});
