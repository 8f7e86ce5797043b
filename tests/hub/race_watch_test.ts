import { quietLog } from "../../src/log/problem_log.ts";
import assert from "node:assert/strict";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { type InvocationMessage, MessageType, NullLogger } from "@microsoft/signalr";
import { Hub } from "../../src/hub/hub.ts";
import { RACE_INTERVAL_MS } from "../../src/hub/race_watch.ts";
import { GameState } from "../../src/game/game_state.ts";
import type { Race } from "../../src/hub/wire.ts";
import { FakeSocket } from "./fake_socket.ts";

const RS = "\x1e";
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

/** A hub on a fake clock whose `Race` passes run when the test says. */
function setup() {
  let now = 1_000;
  const passes: { at: number; run: () => void; cancelled: boolean }[] = [];
  const game = new GameState({ maxClicksPerSecond: 1000 });
  game.open(3, 0, 30_000);
  const hub = new Hub({
    game,
    now: () => now,
    roundDurationMs: 30_000,
    log: quietLog,
    lastRound: () => null,
    raceSchedule: (run, ms) => {
      const pass = { at: now + ms, run, cancelled: false };
      passes.push(pass);
      return () => (pass.cancelled = true);
    },
  });
  const connect = (
    id: number,
    username: string,
    options: { handshake?: string; resumable?: boolean } = {},
  ) => {
    const socket = new FakeSocket();
    const connection = hub.open(socket, { id, username, expiresAt: 1e15 }, 0, {
      token: `t${id}`,
      resumable: options.resumable,
    });
    hub.message(connection, options.handshake ?? HANDSHAKE);
    return {
      socket,
      connection,
      send: (message: string | Uint8Array) => hub.message(connection, message),
    };
  };
  /** Moves the clock on by `ms`, running the passes that fall due. */
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = passes.filter((p) =>
        !p.cancelled && p.at <= until
      ).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      now = Math.max(now, due.at);
      due.cancelled = true;
      due.run();
    }
    now = until;
  };
  const waiting = () => passes.filter((p) => !p.cancelled).length;
  return { hub, game, connect, advance, waiting, clock: () => now };
}

function invoke(target: string, id?: string) {
  return JSON.stringify({ type: 1, invocationId: id, target, arguments: [] }) + RS;
}

const msgpack = new MessagePackHubProtocol();

/** A MessagePack invocation of `target`, without arguments. */
function invokePacked(target: string): Uint8Array {
  return new Uint8Array(msgpack.writeMessage({
    type: MessageType.Invocation,
    target,
    arguments: [],
    streamIds: [],
  }));
}

/** The binary frames the socket got that hold a `Race`, each with what it says. */
function packedRaces(socket: FakeSocket): { bytes: Uint8Array; race: Race }[] {
  return socket.sentBytes.slice(1).flatMap((bytes) => {
    const messages = msgpack.parseMessages(new Uint8Array(bytes).buffer, NullLogger.instance);
    return messages.filter((m) => m.type === MessageType.Invocation && m.target === "Race")
      .map((m) => ({ bytes, race: (m as InvocationMessage).arguments[0] as Race }));
  });
}

function races(socket: FakeSocket): Race[] {
  return socket.records().filter((r) => r.target === "Race").map((r) => (r.arguments as Race[])[0]);
}

Deno.test("WatchRace completes with null, then sends the race as it is", () => {
  const { hub, connect } = setup();
  const ann = connect(1, "ann");
  ann.send(invoke("Increment"));
  ann.send(invoke("watchrace", "7"));
  const records = ann.socket.records();
  const completion = records.findIndex((r) => r.type === 3 && r.invocationId === "7");
  assert.deepEqual(records[completion], { type: 3, invocationId: "7", result: null });
  assert.equal(records[completion + 1].target, "Race");
  assert.deepEqual(races(ann.socket), [{
    roundId: 3,
    top: [{ username: "ann", score: 1 }],
    players: 1,
    you: { score: 1, rank: 1 },
  }]);
  hub.registry.closeAll();
});

Deno.test("A connection that did not ask for the race gets no Race", () => {
  const { hub, connect, advance } = setup();
  const ann = connect(1, "ann");
  const bob = connect(2, "bob");
  bob.send(invoke("WatchRace"));
  ann.send(invoke("Increment"));
  advance(1_000);
  assert.equal(races(ann.socket).length, 0);
  assert.equal(races(bob.socket).length, 2);
  hub.registry.closeAll();
});

Deno.test("Race shows a player who has not scored with rank null", () => {
  const { hub, connect, advance } = setup();
  const ann = connect(1, "ann");
  const bob = connect(2, "bob");
  bob.send(invoke("WatchRace"));
  ann.send(invoke("Increment"));
  advance(RACE_INTERVAL_MS);
  assert.deepEqual(races(bob.socket).at(-1), {
    roundId: 3,
    top: [{ username: "ann", score: 1 }],
    players: 1,
    you: { score: 0, rank: null },
  });
  hub.registry.closeAll();
});

Deno.test("Race goes out at most 4 times a second, carrying the latest race", () => {
  const { hub, connect, advance, clock } = setup();
  const ann = connect(1, "ann");
  const bob = connect(2, "bob");
  const sentAt: number[] = [];
  const send = bob.socket.send.bind(bob.socket);
  bob.socket.send = (data) => {
    if (typeof data === "string" && data.includes('"Race"')) sentAt.push(clock());
    send(data);
  };
  bob.send(invoke("WatchRace"));
  // Ann clicks every 20 ms for two seconds.
  for (let i = 0; i < 100; i++) {
    ann.send(invoke("Increment"));
    advance(20);
  }
  advance(RACE_INTERVAL_MS);
  for (let i = 1; i < sentAt.length; i++) {
    assert.ok(sentAt[i] - sentAt[i - 1] >= RACE_INTERVAL_MS, `gap ${sentAt[i] - sentAt[i - 1]}`);
  }
  assert.ok(sentAt.length >= 8 && sentAt.length <= 10, `${sentAt.length} Race in 2.25 s`);
  assert.equal(races(bob.socket).at(-1)!.top[0].score, 100, "the last one carries every click");
  hub.registry.closeAll();
});

Deno.test("Race goes out only when something changed for that connection", () => {
  const { hub, game, connect, advance, waiting } = setup();
  const ann = connect(1, "ann");
  const bob = connect(2, "bob");
  const cat = connect(3, "cat");
  ann.send(invoke("WatchRace"));
  cat.send(invoke("WatchRace"));
  for (let i = 0; i < 11; i++) ann.send(invoke("Increment"));
  advance(1_000);
  const annSeen = races(ann.socket).length;
  const catSeen = races(cat.socket).length;
  // A purchase changes Ann's score, and so the top.
  ann.send(invoke("BuyMultiplier"));
  advance(1_000);
  assert.equal(races(ann.socket).length, annSeen + 1);
  assert.equal(races(cat.socket).length, catSeen + 1, "the top changed for everyone");
  // Nothing changed: a pass sends nothing.
  hub.raceChanged();
  advance(1_000);
  assert.equal(races(ann.socket).length, annSeen + 1);
  assert.equal(races(cat.socket).length, catSeen + 1);
  assert.equal(waiting(), 0, "no pass left waiting");
  // Bob scores below Ann: the players count changes for both watchers.
  bob.send(invoke("Increment"));
  advance(1_000);
  assert.deepEqual(races(ann.socket).at(-1)!.you, { score: 1, rank: 1 });
  assert.equal(races(cat.socket).at(-1)!.players, 2);
  assert.equal(game.race.rankOf(2), 2);
  hub.registry.closeAll();
});

Deno.test("A new round sends the empty race of the next round", () => {
  const { hub, game, connect, advance } = setup();
  const ann = connect(1, "ann");
  ann.send(invoke("WatchRace"));
  ann.send(invoke("Increment"));
  advance(1_000);
  game.close(60_000);
  hub.broadcast("EndRound", {
    winners: ["ann"],
    nbClicks: 1,
    roundId: 3,
    nextRoundEndsAt: 60_000,
    standings: [{ username: "ann", score: 1 }],
  });
  advance(1_000);
  assert.deepEqual(races(ann.socket).at(-1), {
    roundId: 4,
    top: [],
    players: 0,
    you: { score: 0, rank: null },
  });
  hub.registry.closeAll();
});

Deno.test("A connection that closes stops the passes when nobody else watches", () => {
  const { hub, connect, waiting } = setup();
  const ann = connect(1, "ann");
  ann.send(invoke("WatchRace"));
  ann.send(invoke("Increment"));
  ann.send(invoke("Increment"));
  hub.registry.closeAll();
  assert.equal(waiting(), 0);
});

Deno.test("A pass that finds the race unmoved holds the next one up for nobody", () => {
  const { hub, connect, advance } = setup();
  const ann = connect(1, "ann");
  const bob = connect(2, "bob");
  bob.send(invoke("WatchRace"));
  ann.send(invoke("Increment"));
  advance(1_000);
  const seen = races(bob.socket).length;
  // Told of a change that isn't one (a new round announced late, a read that found nothing new).
  hub.raceChanged();
  advance(0);
  assert.equal(races(bob.socket).length, seen);
  advance(10);
  ann.send(invoke("Increment"));
  advance(0);
  assert.equal(races(bob.socket).length, seen + 1, "sent at once, not 250 ms later");
  assert.equal(races(bob.socket).at(-1)!.top[0].score, 2);
  hub.registry.closeAll();
});

Deno.test("Watchers who have not scored are sent the very same message", () => {
  const { hub, connect, advance } = setup();
  const handshake = `{"protocol":"messagepack","version":1}${RS}`;
  const [ann, bob, cat] = [[1, "ann"], [2, "bob"], [3, "cat"]].map(([id, name]) =>
    connect(id as number, name as string, { handshake })
  );
  for (const watcher of [ann, bob, cat]) watcher.send(invokePacked("WatchRace"));
  ann.send(invokePacked("Increment"));
  advance(RACE_INTERVAL_MS);
  const [annLast, bobLast, catLast] = [ann, bob, cat].map((w) => packedRaces(w.socket).at(-1)!);
  assert.deepEqual(bobLast.race, {
    roundId: 3,
    top: [{ username: "ann", score: 1 }],
    players: 1,
    you: { score: 0, rank: null },
  });
  assert.equal(catLast.bytes, bobLast.bytes, "one message for both who have not scored");
  assert.deepEqual(annLast.race.you, { score: 1, rank: 1 });
  assert.deepEqual(annLast.race.top, bobLast.race.top);
  hub.registry.closeAll();
});

Deno.test("A Race to a resumable connection is numbered and sent again after a resume", () => {
  const { hub, connect, advance } = setup();
  const ann = connect(1, "ann");
  const bob = connect(2, "bob", {
    handshake: `{"protocol":"json","version":2}${RS}`,
    resumable: true,
  });
  assert.ok(bob.connection.replay);
  bob.send(invoke("WatchRace"));
  ann.send(invoke("Increment"));
  advance(RACE_INTERVAL_MS);
  // GameInfo, PlayerCount, the completion, two Race: none acknowledged.
  const sent = races(bob.socket);
  assert.equal(sent.length, 2);
  hub.lost(bob.connection, bob.socket);
  ann.send(invoke("Increment"));
  advance(RACE_INTERVAL_MS);
  const fresh = new FakeSocket();
  hub.resume(bob.connection, fresh);
  assert.deepEqual(fresh.records()[0], { type: 9, sequenceId: 1 });
  assert.deepEqual(races(fresh), [...sent, { ...sent[1], top: [{ username: "ann", score: 2 }] }]);
  hub.registry.closeAll();
});
