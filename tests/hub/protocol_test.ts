import assert from "node:assert/strict";
import {
  checkHandshake,
  HandshakeReader,
  handshakeText,
  MAX_RECORD_BYTES,
  ProtocolError,
} from "../../src/hub/protocol.ts";
import { JSON_PROTOCOL } from "../../src/hub/json_protocol.ts";
import { MESSAGEPACK_PROTOCOL } from "../../src/hub/messagepack_protocol.ts";
import { CloseReason, RECORD_SEPARATOR as RS } from "../../src/hub/wire.ts";

const BOTH = [JSON_PROTOCOL, MESSAGEPACK_PROTOCOL];

Deno.test("checkHandshake() picks json or messagepack, versions 1 and 2", () => {
  for (const protocol of BOTH) {
    for (const version of [1, 2]) {
      const chosen = checkHandshake(JSON.stringify({ protocol: protocol.name, version }), BOTH);
      assert.equal(chosen.error, undefined);
      assert.equal(chosen.error === undefined && chosen.protocol, protocol);
      assert.equal(chosen.error === undefined && chosen.version, version);
    }
  }
});

Deno.test("checkHandshake() refuses an unknown protocol, a version or a transport it can't serve", () => {
  const refused = (record: string, options = {}) => checkHandshake(record, BOTH, options).error;
  assert.equal(refused('{"protocol":"xml","version":1}'), "The protocol 'xml' is not supported.");
  assert.match(refused('{"protocol":"json","version":3}')!, /version 3 of the 'json' protocol/);
  assert.match(refused('{"protocol":"messagepack","version":0}')!, /version 0/);
  assert.match(refused('{"protocol":"json"}')!, /version undefined/);
  assert.match(refused("not json")!, /Cannot parse handshake: not JSON/);
  assert.match(refused("[1]")!, /not a JSON object/);
  assert.match(
    refused('{"protocol":"messagepack","version":1}', { textOnly: true })!,
    /Cannot use the 'messagepack' protocol on the current transport/,
  );
  assert.equal(refused('{"protocol":"json","version":1}', { textOnly: true }), undefined);
});

Deno.test("HandshakeReader.read() returns the record and what follows it", () => {
  const reader = new HandshakeReader();
  assert.equal(reader.read('{"protocol":'), undefined);
  assert.deepEqual(reader.read(`"json","version":1}${RS}{"type":6}${RS}`), {
    record: '{"protocol":"json","version":1}',
    rest: `{"type":6}${RS}`,
  });
});

Deno.test("HandshakeReader.read() takes UTF-8 bytes, the rest as bytes, and refuses others", () => {
  const bytes = new TextEncoder().encode(`{"protocol":"messagepack","version":1}${RS}`);
  const packed = new Uint8Array([...bytes, 0x02, 0x91, 0x06]);
  assert.deepEqual(new HandshakeReader().read(packed), {
    record: '{"protocol":"messagepack","version":1}',
    rest: new Uint8Array([0x02, 0x91, 0x06]),
  });
  assert.throws(
    () => new HandshakeReader().read(new Uint8Array([0x93, 1, 2, 3])),
    (e) => e instanceof ProtocolError && /Binary messages are not supported/.test(e.message),
  );
});

Deno.test("HandshakeReader.read() bounds the handshake to 32 KiB", () => {
  const reader = new HandshakeReader();
  reader.read("x".repeat(MAX_RECORD_BYTES / 2));
  assert.throws(
    () => reader.read("x".repeat(MAX_RECORD_BYTES / 2 + 1)),
    (e) => e instanceof ProtocolError && e.reason === CloseReason.MessageTooLarge,
  );
});

Deno.test("handshakeText() is {} or the error, and the separator", () => {
  assert.equal(handshakeText(), `{}${RS}`);
  assert.equal(handshakeText("no"), `{"error":"no"}${RS}`);
});

Deno.test("ProtocolError carries the close reason its close code implies", () => {
  assert.equal(new ProtocolError("bad").reason, CloseReason.ProtocolError);
  assert.equal(new ProtocolError("big", { closeCode: 1009 }).reason, CloseReason.MessageTooLarge);
});

Deno.test("encodeSharedRace() gives the bytes encodeInvocation() gives for the whole Race", () => {
  const long = (n: number) => ({ username: "Zoë_ж.".repeat(n), score: 70_000 * n });
  const races = [
    { roundId: 1, top: [], players: 0 },
    { roundId: 42, top: [{ username: "ann", score: 3 }], players: 1 },
    {
      roundId: 2 ** 31,
      top: Array.from({ length: 10 }, (_, i) => ({ username: `player_${i}`, score: 1000 - i })),
      players: 70_000,
    },
    // Past 127 and 16,383 bytes the MessagePack length prefix takes 2, then 3 bytes.
    { roundId: 7, top: [long(3), long(30)], players: 2 },
    { roundId: 7, top: [long(300), long(2000)], players: 5 },
  ];
  const yous = [
    { score: 0, rank: null },
    { score: 1, rank: 1 },
    { score: 127, rank: 128 },
    { score: 255, rank: 256 },
    { score: 65_535, rank: 65_536 },
    { score: 2 ** 32, rank: 70_000 },
    { score: Number.MAX_SAFE_INTEGER, rank: 2 },
  ];
  for (const protocol of BOTH) {
    for (const race of races) {
      const ending = protocol.encodeSharedRace(race);
      for (const you of yous) {
        assert.deepEqual(
          ending(you),
          protocol.encodeInvocation("Race", { ...race, you }),
          `${protocol.name}, ${race.top.length} in the top, you ${JSON.stringify(you)}`,
        );
      }
    }
  }
});

Deno.test("encodeSharedRace() endings stay whole when many are made from one head", () => {
  for (const protocol of BOTH) {
    const race = { roundId: 3, top: [{ username: "ann", score: 9 }], players: 4 };
    const ending = protocol.encodeSharedRace(race);
    const made = [1, 2, 3, 4].map((rank) => ending({ score: 10 - rank, rank }));
    for (const [i, frame] of made.entries()) {
      const you = { score: 9 - i, rank: i + 1 };
      assert.deepEqual(frame, protocol.encodeInvocation("Race", { ...race, you }));
    }
  }
});
