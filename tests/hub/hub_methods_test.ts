/**
 * `HubMethods` answering moves a game takes later, with a promise or
 * through a `PendingMove` (each test runs over both): whatever goes wrong in
 * the answer, the caller gets exactly one completion, and no rejection is
 * left unhandled.
 */

import assert from "node:assert/strict";
import { GAME_UNAVAILABLE, HubMethods, type PlayerConnection } from "../../src/hub/hub_methods.ts";
import type { Invocation } from "../../src/hub/protocol.ts";
import { JSON_PROTOCOL } from "../../src/hub/json_protocol.ts";
import type { MoveResult, PlayerState } from "../../src/game/game_state.ts";
import type { PendingMove } from "../../src/hub/hub_game.ts";
import { FakeSocket } from "./fake_socket.ts";
import { CollectingLog } from "../support/collecting_log.ts";

const MOVED: MoveResult = { score: 1, multiplier: 1, multiplierCost: 10, counted: true };

function connection(): PlayerConnection & { socket: FakeSocket } {
  return {
    id: "c1",
    playerId: 1,
    socket: new FakeSocket(),
    protocol: JSON_PROTOCOL,
    expiresAt: 1e15,
    lastSeen: 0,
    ready: true,
    throttledAt: 0,
    player: { id: 1, username: "ann", score: 0, multiplier: 1 } as PlayerState,
  };
}

function increment(invocationId?: string): Invocation {
  return { type: 1, invocationId, target: "Increment", arguments: [] };
}

/** How the game answers: with a promise, or through the `PendingMove` the hub passes. */
type Form = "promise" | "pending";
const FORMS: readonly Form[] = ["promise", "pending"];

/** HubMethods over one connection, a game answering `outcome` in `form`, and `moved` as given. */
function setup(form: Form, outcome: () => Promise<MoveResult>, moved: () => void = () => {}) {
  const c = connection();
  const logged = new CollectingLog();
  const methods = new HubMethods<typeof c>({
    registry: {
      get: (id) => id === c.id ? c : undefined,
      send: (to, data) => to.socket.send(data),
    },
    game: {
      increment: outcome,
      incrementLater: form === "pending"
        ? (_player, _now, pending) =>
          void outcome().then(pending.done.bind(pending), pending.failed.bind(pending))
        : undefined,
      buyMultiplier: () => Promise.reject(new Error("unused")),
      standing: () => MOVED,
      maxClicksPerSecond: 25,
    },
    moved,
    log: logged,
  });
  return { c, methods, logged };
}

/** Runs `fn` and resolves with the rejections left unhandled meanwhile. */
async function unhandled(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    seen.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", listener);
  try {
    await fn();
    // Unhandled rejections are reported after the turn they happen in.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.removeEventListener("unhandledrejection", listener);
  }
  return seen;
}

for (const form of FORMS) {
  Deno.test(`HubMethods (${form}): an answer that throws before its completion becomes a completion error`, async () => {
    const broken = {
      ...MOVED,
      get counted(): boolean {
        throw new TypeError("Cannot read counted");
      },
    };
    const { c, methods, logged } = setup(form, () => Promise.resolve(broken));
    const left = await unhandled(async () => {
      methods.invoke(c, increment("1"));
      await Promise.resolve();
    });
    assert.deepEqual(left, []);
    assert.deepEqual(c.socket.records(), [{ type: 3, invocationId: "1", error: GAME_UNAVAILABLE }]);
    assert.equal(logged.records.length, 1);
    assert.equal(logged.records[0].message, "Cannot answer invocation");
    assert.equal(logged.records[0].fields.connectionId, "c1");
    assert.match(String(logged.records[0].fields.error), /^Cannot read counted/);
  });

  Deno.test(`HubMethods (${form}): an answer that throws after its completion sends no second one`, async () => {
    const { c, methods, logged } = setup(form, () => Promise.resolve(MOVED), () => {
      throw new Error("Cannot tell the other tabs");
    });
    const left = await unhandled(async () => {
      methods.invoke(c, increment("1"));
      await Promise.resolve();
    });
    assert.deepEqual(left, []);
    assert.deepEqual(c.socket.records(), [{ type: 3, invocationId: "1", result: MOVED }]);
    assert.match(logged.lines[0], /Cannot tell the other tabs/);
  });

  Deno.test(`HubMethods (${form}): an error that can't be sent either is logged, not left unhandled`, async () => {
    const { c, methods, logged } = setup(form, () => Promise.reject(new Error("redis down")));
    c.socket.closed = {}; // sending now throws
    const left = await unhandled(async () => {
      methods.invoke(c, increment("1"));
      await Promise.resolve();
    });
    assert.deepEqual(left, []);
    assert.equal(logged.records.length, 1);
    assert.match(logged.lines[0], /socket closed/);
  });
}

Deno.test("HubMethods passes a PendingMove to a game that offers one, and answers from it", () => {
  const c = connection();
  const pending: PendingMove<MoveResult>[] = [];
  let moves = 0;
  const methods = new HubMethods<typeof c>({
    registry: {
      get: (id) => id === c.id ? c : undefined,
      send: (to, data) => to.socket.send(data),
    },
    game: {
      increment: () => assert.fail("increment() is not called when incrementLater() is offered"),
      incrementLater: (player, _now, move) => {
        assert.equal(player, c.player);
        pending.push(move);
      },
      buyMultiplier: () => assert.fail("unused"),
      standing: () => MOVED,
      maxClicksPerSecond: 25,
    },
    moved: () => moves++,
    log: new CollectingLog(),
  });
  methods.invoke(c, increment("1"));
  methods.invoke(c, increment("2"));
  methods.invoke(c, increment());
  assert.equal(pending.length, 3);
  assert.deepEqual(c.socket.records(), []);
  pending[0].done(MOVED);
  pending[1].failed(new Error("redis down"));
  pending[2].done({ ...MOVED, score: 2 });
  assert.deepEqual(c.socket.records(), [
    { type: 3, invocationId: "1", result: MOVED },
    { type: 3, invocationId: "2", error: GAME_UNAVAILABLE },
  ]);
  assert.equal(moves, 2);
});

Deno.test("HubMethods sends nothing for a move answered after its connection closed", () => {
  const c = connection();
  const pending: PendingMove<MoveResult>[] = [];
  let open = true;
  const methods = new HubMethods<typeof c>({
    registry: {
      get: (id) => open && id === c.id ? c : undefined,
      send: (to, data) => to.socket.send(data),
    },
    game: {
      increment: () => assert.fail("unused"),
      incrementLater: (_player, _now, move) => void pending.push(move),
      buyMultiplier: () => assert.fail("unused"),
      standing: () => MOVED,
      maxClicksPerSecond: 25,
    },
    moved: () => {},
    log: new CollectingLog(),
  });
  methods.invoke(c, increment("1"));
  methods.invoke(c, increment("2"));
  open = false;
  pending[0].done(MOVED);
  pending[1].failed(new Error("redis down"));
  assert.deepEqual(c.socket.sent, []);
});
