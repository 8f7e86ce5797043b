/**
 * The hub over a game that answers moves with promises, as the game shared
 * by several servers does: completions go out when the promises resolve, in
 * order, and a game out of reach answers an error.
 */

import assert from "node:assert/strict";
import { Hub } from "../../src/hub/hub.ts";
import type { HubGame } from "../../src/hub/hub_game.ts";
import { GAME_UNAVAILABLE } from "../../src/hub/hub_methods.ts";
import {
  type CappedPlayer,
  GameState,
  type MoveResult,
  type PlayerState,
} from "../../src/game/game_state.ts";
import type { PurchaseResult } from "../../src/game/rules.ts";
import { FakeSocket } from "./fake_socket.ts";
import { quietLog } from "../../src/log/problem_log.ts";

const RS = "\x1e";
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

/** A game whose moves resolve when the test says, in order, or all fail. */
class DeferredGame implements HubGame {
  readonly inner = new GameState({ maxClicksPerSecond: 2 });
  readonly #queued: (() => void)[] = [];
  down = false;

  get roundId() {
    return this.inner.roundId;
  }
  get roundEndsAt() {
    return this.inner.roundEndsAt;
  }
  get maxClicksPerSecond() {
    return this.inner.maxClicksPerSecond;
  }
  get lastRound() {
    return null;
  }
  join(id: number, username: string, nowMs: number): CappedPlayer {
    return this.inner.join(id, username, nowMs);
  }
  leave(player: PlayerState): void {
    this.inner.leave(player);
  }
  standing(player: PlayerState): MoveResult {
    return this.inner.standing(player);
  }
  increment(player: CappedPlayer, nowMs: number): Promise<MoveResult> {
    return this.#defer(() => this.inner.increment(player, nowMs));
  }
  buyMultiplier(player: PlayerState): Promise<PurchaseResult> {
    return this.#defer(() => this.inner.buyMultiplier(player));
  }
  /** Settles every move made so far, oldest first. */
  settle(): Promise<void> {
    for (const run of this.#queued.splice(0)) run();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
  #defer<T>(move: () => T): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#queued.push(() => this.down ? reject(new Error("redis down")) : resolve(move()));
    return promise;
  }
}

function setup() {
  const game = new DeferredGame();
  game.inner.open(3, 0, 30_000);
  const hub = new Hub({
    game,
    now: () => 1_000,
    roundDurationMs: 30_000,
    lastRound: () => null,
    log: quietLog,
  });
  const socket = new FakeSocket();
  const connection = hub.open(socket, { id: 1, username: "ann", expiresAt: 1e15 }, 0);
  hub.message(connection, HANDSHAKE);
  const skip = socket.records().length;
  const send = (text: string) => hub.message(connection, text);
  const replies = () => socket.records(skip);
  return { game, hub, socket, connection, send, replies };
}

function invoke(target: string, id?: string) {
  return JSON.stringify({ type: 1, invocationId: id, target, arguments: [] }) + RS;
}

Deno.test("Hub answers a move that resolves later, once it resolves, in order", async () => {
  const { game, send, replies } = setup();
  send(invoke("Increment", "1") + invoke("Increment", "2") + invoke("Increment", "3"));
  assert.deepEqual(replies(), [], "nothing before the game answers");
  await game.settle();
  const got = replies().filter((r) => r.type === 3);
  assert.deepEqual(got.map((r) => r.invocationId), ["1", "2", "3"]);
  assert.deepEqual(got.map((r) => (r.result as MoveResult).counted), [true, true, false]);
  assert.deepEqual(got.map((r) => (r.result as MoveResult).score), [1, 2, 2]);
});

Deno.test("Hub tells a throttled click of a later answer, then completes it", async () => {
  const { game, send, socket } = setup();
  send(invoke("Increment", "1") + invoke("Increment", "2") + invoke("Increment", "3"));
  await game.settle();
  const records = socket.records();
  const throttled = records.findIndex((r) => r.target === "Throttled");
  const third = records.findIndex((r) => r.invocationId === "3");
  assert.ok(throttled !== -1 && throttled < third);
});

Deno.test("Hub completes a purchase that resolves later, or its refusal", async () => {
  const { game, send, replies } = setup();
  send(invoke("BuyMultiplier", "1"));
  await game.settle();
  assert.match(String(replies()[0].error), /Not enough points/);
});

Deno.test("Hub answers an error when the game can't be reached, without a completion for send()", async () => {
  const { game, send, replies } = setup();
  game.down = true;
  send(invoke("Increment", "1") + invoke("Increment") + invoke("BuyMultiplier", "2"));
  await game.settle();
  assert.deepEqual(replies(), [
    { type: 3, invocationId: "1", error: GAME_UNAVAILABLE },
    { type: 3, invocationId: "2", error: GAME_UNAVAILABLE },
  ]);
});

Deno.test("Hub drops the answer of a connection closed meanwhile", async () => {
  const { game, hub, connection, send, socket } = setup();
  send(invoke("Increment", "1"));
  hub.closed(connection);
  const before = socket.sent.length;
  await game.settle();
  assert.equal(socket.sent.length, before);
});
