import assert from "node:assert/strict";
import {
  encodeClose,
  encodeError,
  encodeHandshake,
  encodeInvocation,
  encodeResult,
  JSON_PROTOCOL,
  parseMessage,
  PING,
  RecordReader,
} from "../../src/hub/json_protocol.ts";
import { MAX_RECORD_BYTES, ProtocolError } from "../../src/hub/protocol.ts";
import { CloseReason, RECORD_SEPARATOR as RS } from "../../src/hub/wire.ts";

Deno.test("RecordReader.read() splits several records in one message", () => {
  const reader = new RecordReader();
  assert.deepEqual(reader.read(`{"type":6}${RS}{"type":6}${RS}`), ['{"type":6}', '{"type":6}']);
});

Deno.test("RecordReader.read() keeps an incomplete record for the next message", () => {
  const reader = new RecordReader();
  assert.deepEqual(reader.read(`{"type":6}${RS}{"ty`), ['{"type":6}']);
  assert.deepEqual(reader.read(`pe":7}`), []);
  assert.deepEqual(reader.read(RS), ['{"type":7}']);
});

Deno.test("RecordReader.read() refuses a record over 32 KiB", () => {
  const reader = new RecordReader();
  assert.throws(() => reader.read("x".repeat(MAX_RECORD_BYTES + 1)), ProtocolError);
  const split = new RecordReader();
  split.read("é".repeat(MAX_RECORD_BYTES / 4));
  assert.throws(() => split.read("é".repeat(MAX_RECORD_BYTES / 4 + 1)), /larger than 32768 bytes/);
});

Deno.test("parseMessage() reads invocations with and without an id", () => {
  assert.deepEqual(
    parseMessage('{"type":1,"invocationId":"4","target":"Increment","arguments":[]}'),
    { type: 1, invocationId: "4", target: "Increment", arguments: [] },
  );
  assert.deepEqual(parseMessage('{"type":1,"target":"Increment"}'), {
    type: 1,
    invocationId: undefined,
    target: "Increment",
    arguments: [],
  });
  assert.deepEqual(parseMessage('{"type":6}'), { type: 6 });
  assert.deepEqual(parseMessage('{"type":7,"error":"bye"}'), { type: 7, error: "bye" });
});

Deno.test("parseMessage() throws a ProtocolError on broken records", () => {
  for (
    const [record, message] of [
      ["{oops", /not JSON/],
      ["[1,2]", /not a JSON object/],
      ['"text"', /not a JSON object/],
      ["{}", /missing type/],
      ['{"type":42}', /unknown type 42/],
      ['{"type":"1"}', /unknown type "1"/],
      ['{"type":1,"arguments":[]}', /missing target/],
      ['{"type":1,"target":"Increment","arguments":{}}', /arguments must be an array/],
      ['{"type":1,"invocationId":5,"target":"Increment"}', /invocationId/],
    ] as const
  ) {
    assert.throws(
      () => parseMessage(record),
      (e) => e instanceof ProtocolError && message.test(e.message),
      record,
    );
  }
});

Deno.test("encode functions end every record with the separator", () => {
  assert.equal(encodeHandshake(), `{}${RS}`);
  assert.equal(encodeHandshake("no"), `{"error":"no"}${RS}`);
  assert.equal(PING, `{"type":6}${RS}`);
  assert.deepEqual(JSON.parse(encodeResult('"x', { a: 1 }).slice(0, -1)), {
    type: 3,
    invocationId: '"x',
    result: { a: 1 },
  });
  assert.deepEqual(JSON.parse(encodeError("1", "bad").slice(0, -1)), {
    type: 3,
    invocationId: "1",
    error: "bad",
  });
  const endRound = { winners: [], nbClicks: 0, roundId: 4, nextRoundEndsAt: 9, standings: [] };
  assert.deepEqual(JSON.parse(encodeInvocation("EndRound", endRound).slice(0, -1)), {
    type: 1,
    target: "EndRound",
    arguments: [endRound],
  });
  assert.deepEqual(JSON.parse(encodeClose("why").slice(0, -1)), { type: 7, error: "why" });
});

Deno.test("encodeClose() adds allowReconnect and the reason code only when given", () => {
  assert.equal(encodeClose(), `{"type":7}${RS}`);
  assert.deepEqual(
    JSON.parse(
      encodeClose("Token expired: log in again", { reason: CloseReason.TokenExpired }).slice(0, -1),
    ),
    { type: 7, error: "Token expired: log in again", reason: "token-expired" },
  );
  assert.deepEqual(
    JSON.parse(
      encodeClose("bye", { allowReconnect: true, reason: CloseReason.ShuttingDown }).slice(0, -1),
    ),
    { type: 7, error: "bye", allowReconnect: true, reason: "server-shutting-down" },
  );
  assert.deepEqual(
    JSON.parse(
      encodeClose("go", { allowReconnect: false, reason: CloseReason.TooManyConnections })
        .slice(0, -1),
    ),
    { type: 7, error: "go", allowReconnect: false, reason: "too-many-connections" },
  );
});

Deno.test("ProtocolError carries the close reason its close code implies", () => {
  assert.equal(new ProtocolError("bad").reason, CloseReason.ProtocolError);
  assert.equal(new ProtocolError("big", { closeCode: 1009 }).reason, CloseReason.MessageTooLarge);
  const reader = new RecordReader();
  assert.throws(
    () => reader.read("x".repeat(MAX_RECORD_BYTES + 1)),
    (e) => e instanceof ProtocolError && e.reason === CloseReason.MessageTooLarge,
  );
});

Deno.test("RecordReader.read() refuses a binary frame", () => {
  assert.throws(
    () => new RecordReader().read(new TextEncoder().encode(`{"type":6}${RS}`)),
    /Binary messages are not supported by the JSON protocol/,
  );
});

Deno.test("parseMessage() reads Ack and Sequence with their sequenceId", () => {
  assert.deepEqual(parseMessage('{"type":8,"sequenceId":1394}'), { type: 8, sequenceId: 1394 });
  assert.deepEqual(parseMessage('{"type":9,"sequenceId":1}'), { type: 9, sequenceId: 1 });
  for (const bad of ['{"type":8}', '{"type":9,"sequenceId":-1}', '{"type":8,"sequenceId":"3"}']) {
    assert.throws(() => parseMessage(bad), /sequenceId must be a whole number/, bad);
  }
});

Deno.test("JSON_PROTOCOL writes Ack and Sequence as the spec shows them", () => {
  assert.equal(JSON_PROTOCOL.encodeAck(1394), `{"type":8,"sequenceId":1394}${RS}`);
  assert.equal(JSON_PROTOCOL.encodeSequence(1234), `{"type":9,"sequenceId":1234}${RS}`);
  assert.equal(JSON_PROTOCOL.ping, PING);
  assert.equal(JSON_PROTOCOL.transferFormat, "Text");
});
