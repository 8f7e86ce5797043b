/**
 * The hub with the MessagePack protocol and with stateful reconnect, over
 * fake sockets: what the handshake chooses, how messages are encoded, and
 * how a resumed connection skips what its client sends again.
 */

import assert from "node:assert/strict";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { type HubMessage, MessageType, NullLogger } from "@microsoft/signalr";
import { Hub } from "../../src/hub/hub.ts";
import { GameState } from "../../src/game/game_state.ts";
import { MESSAGEPACK_PROTOCOL } from "../../src/hub/messagepack_protocol.ts";
import { FakeSocket } from "./fake_socket.ts";
import { quietLog } from "../../src/log/problem_log.ts";

const RS = "\x1e";
const client = new MessagePackHubProtocol();

function setup() {
  let clock = 1_000;
  const game = new GameState({ maxClicksPerSecond: 1000 });
  game.open(3, 0, 30_000);
  const hub = new Hub({
    game,
    now: () => clock,
    roundDurationMs: 30_000,
    lastRound: () => null,
    log: quietLog,
  });
  const connect = (options: { resumable?: boolean; textOnly?: boolean } = {}) => {
    const socket = new FakeSocket();
    socket.textOnly = options.textOnly ?? false;
    const connection = hub.open(socket, { id: 1, username: "ann", expiresAt: 1e15 }, 0, {
      token: "t",
      resumable: options.resumable,
    });
    return { socket, connection };
  };
  const tick = (ms: number) => clock += ms;
  return { hub, connect, tick };
}

/** What the official client reads from every binary frame the socket got after `skip`. */
function received(socket: FakeSocket, skip = 0): HubMessage[] {
  return socket.sentBytes.slice(skip).flatMap((bytes) => {
    const copy = new Uint8Array(bytes);
    return client.parseMessages(copy.buffer, NullLogger.instance);
  });
}

const increment = (id: string) =>
  new Uint8Array(client.writeMessage({
    type: MessageType.Invocation,
    invocationId: id,
    target: "Increment",
    arguments: [],
    streamIds: [],
  }));

Deno.test("Hub speaks MessagePack after a messagepack handshake", () => {
  const { hub, connect } = setup();
  const { socket, connection } = connect();
  hub.message(connection, `{"protocol":"messagepack","version":1}${RS}`);
  assert.equal(connection.protocol, MESSAGEPACK_PROTOCOL);
  assert.equal(new TextDecoder().decode(socket.sentBytes[0]), `{}${RS}`);
  const [info, count] = received(socket, 1);
  assert.equal((info as { target: string }).target, "GameInfo");
  assert.equal((count as { target: string }).target, "PlayerCount");
  hub.message(connection, increment("1"));
  const [completion] = received(socket, 3);
  assert.deepEqual((completion as { result: unknown }).result, {
    score: 1,
    multiplier: 1,
    multiplierCost: 10,
    counted: true,
  });
  hub.broadcast("EndRound", {
    winners: ["ann"],
    nbClicks: 1,
    roundId: 3,
    nextRoundEndsAt: 60_000,
    standings: [],
  });
  assert.equal((received(socket, 1).at(-1) as { target: string }).target, "EndRound");
  hub.registry.closeAll();
});

Deno.test("Hub reads a binary handshake and the messages after it in the same frame", () => {
  const { hub, connect } = setup();
  const { socket, connection } = connect();
  const handshake = new TextEncoder().encode(`{"protocol":"messagepack","version":1}${RS}`);
  const message = increment("7");
  const frame = new Uint8Array(handshake.length + message.length);
  frame.set(handshake);
  frame.set(message, handshake.length);
  hub.message(connection, frame);
  const completion = received(socket, 1).find((m) => m.type === MessageType.Completion);
  assert.equal((completion as { invocationId: string }).invocationId, "7");
  hub.registry.closeAll();
});

Deno.test("Hub refuses text frames after a messagepack handshake", () => {
  const { hub, connect } = setup();
  const { connection, socket } = connect();
  hub.message(connection, `{"protocol":"messagepack","version":1}${RS}`);
  hub.message(connection, `{"type":6}${RS}`);
  assert.ok(socket.closed);
  assert.equal(hub.registry.size, 0);
});

Deno.test("Hub refuses MessagePack on a text-only transport", () => {
  const { hub, connect } = setup();
  const { connection, socket } = connect({ textOnly: true });
  hub.message(connection, `{"protocol":"messagepack","version":1}${RS}`);
  assert.match(String(socket.records()[0].error), /does not support 'Binary' transfer format/);
  assert.equal(hub.registry.size, 0);
});

Deno.test("Hub keeps a replay buffer only for a resumable connection at version 2", () => {
  const { hub, connect } = setup();
  const v1 = connect({ resumable: true });
  hub.message(v1.connection, `{"protocol":"json","version":1}${RS}`);
  assert.equal(v1.connection.replay, undefined);
  const plain = connect({ resumable: false });
  hub.message(plain.connection, `{"protocol":"json","version":2}${RS}`);
  assert.equal(plain.connection.replay, undefined);
  const v2 = connect({ resumable: true });
  hub.message(v2.connection, `{"protocol":"json","version":2}${RS}`);
  assert.ok(v2.connection.replay);
  hub.registry.closeAll();
});

Deno.test("Hub holds a resumable connection's messages until its client speaks, so both number them alike", () => {
  const { hub, connect } = setup();
  const { connection, socket } = connect({ resumable: true });
  hub.message(connection, `{"protocol":"json","version":2}${RS}`);
  // The handshake's answer goes at once; GameInfo and PlayerCount wait.
  assert.deepEqual(socket.records(), [{}]);
  hub.broadcast("PlayerCount", { online: 7 });
  assert.deepEqual(socket.records(), [{}]);
  // The client's first message (the official client pings once it counts).
  hub.message(connection, `{"type":6}${RS}`);
  assert.deepEqual(socket.records().map((r) => r.target), [
    undefined,
    "GameInfo",
    "PlayerCount",
    "PlayerCount",
  ]);
  // Nothing is sent twice; from here on messages go at once.
  hub.message(connection, `{"type":6}${RS}`);
  hub.broadcast("PlayerCount", { online: 8 });
  assert.equal(socket.records().length, 5);
  // A connection that can't resume is never held.
  const plain = connect({ resumable: false });
  hub.message(plain.connection, `{"protocol":"json","version":2}${RS}`);
  assert.deepEqual(plain.socket.records().map((r) => r.target), [
    undefined,
    "GameInfo",
    "PlayerCount",
  ]);
  hub.registry.closeAll();
});

Deno.test("Hub sends a resumable connection's held messages at a tick once its client was silent 250 ms", () => {
  const { hub, connect, tick } = setup();
  const { connection, socket } = connect({ resumable: true });
  hub.message(connection, `{"protocol":"json","version":2}${RS}`);
  tick(100);
  hub.registry.sweep();
  assert.deepEqual(socket.records(), [{}], "not yet");
  tick(150);
  hub.registry.sweep();
  assert.deepEqual(socket.records().map((r) => r.target), [undefined, "GameInfo", "PlayerCount"]);
  hub.registry.closeAll();
});

Deno.test("Hub resumes a connection lost while it held its messages: they come after the Sequence", () => {
  const { hub, connect } = setup();
  const { connection, socket } = connect({ resumable: true });
  hub.message(connection, `{"protocol":"json","version":2}${RS}`);
  hub.lost(connection, socket);
  const fresh = new FakeSocket();
  hub.resume(connection, fresh);
  assert.deepEqual(fresh.records().map((r) => r.type === 9 ? r : r.target), [
    { type: 9, sequenceId: 1 },
    "GameInfo",
    "PlayerCount",
  ]);
  assert.deepEqual(socket.records(), [{}], "nothing more on the old socket");
  hub.registry.closeAll();
});

Deno.test("Hub skips the clicks a resumed client sends again, and acts on the new ones", () => {
  const { hub, connect } = setup();
  const { connection, socket } = connect({ resumable: true });
  hub.message(connection, `{"protocol":"json","version":2}${RS}`);
  const click = (id: string) =>
    `{"type":1,"invocationId":"${id}","target":"Increment","arguments":[]}${RS}`;
  hub.message(connection, click("1") + click("2"));
  hub.lost(connection, socket);
  const fresh = new FakeSocket();
  hub.resume(connection, fresh);
  // GameInfo, PlayerCount and two completions were never acknowledged: all replayed.
  const replayed = fresh.records();
  assert.deepEqual(replayed[0], { type: 9, sequenceId: 1 });
  assert.equal(replayed.length, 5);
  // Before its Sequence, the client's messages are ignored.
  hub.message(connection, click("ignored"));
  hub.message(connection, `{"type":9,"sequenceId":2}${RS}` + click("2") + click("3"));
  const answers = fresh.records(5).filter((r) => r.type === 3);
  assert.deepEqual(answers.map((r) => [r.invocationId, (r.result as { score: number }).score]), [
    ["3", 3],
  ]);
  hub.message(connection, `{"type":8,"sequenceId":6}${RS}`);
  assert.equal(connection.replay!.bytes, 0, "everything acknowledged");
  hub.registry.closeAll();
});
