import assert from "node:assert/strict";
import {
  invocationRecord,
  parseFirstRecord,
  parseHandshakeResponse,
  parseMessage,
} from "../../static/src/hub_records.ts";
import { CloseReason } from "../../src/hub/wire.ts";

Deno.test("invocationRecord() ends each record with \\x1e", () => {
  assert.equal(
    invocationRecord("Increment", [], "3"),
    '{"type":1,"target":"Increment","arguments":[],"invocationId":"3"}\x1e',
  );
  assert.equal(
    invocationRecord("Increment", []),
    '{"type":1,"target":"Increment","arguments":[]}\x1e',
  );
});

Deno.test("parseHandshakeResponse() accepts {} and reports an error", () => {
  assert.deepEqual(parseHandshakeResponse("{}"), {});
  assert.deepEqual(parseHandshakeResponse('{"error":"Unsupported protocol"}'), {
    error: "Unsupported protocol",
  });
});

Deno.test("parseFirstRecord() reads the handshake answer, or a close sent before it", () => {
  assert.deepEqual(parseFirstRecord("{}"), {});
  assert.deepEqual(parseFirstRecord('{"error":"Unsupported protocol"}'), {
    error: "Unsupported protocol",
  });
  // A player's newest connection may close their oldest while it still shakes hands.
  assert.deepEqual(
    parseFirstRecord(
      '{"type":7,"error":"Too many connections","allowReconnect":false,"reason":"too-many-connections"}',
    ),
    {
      type: 7,
      error: "Too many connections",
      allowReconnect: false,
      reason: CloseReason.TooManyConnections,
    },
  );
  assert.throws(() => parseFirstRecord("[]"), SyntaxError);
});

Deno.test("parseMessage() reads invocations, completions and close records", () => {
  assert.deepEqual(parseMessage('{"type":1,"target":"PlayerCount","arguments":[{"online":2}]}'), {
    type: 1,
    target: "PlayerCount",
    arguments: [{ online: 2 }],
  });
  assert.deepEqual(parseMessage('{"type":3,"invocationId":"1","result":{"score":1}}'), {
    type: 3,
    invocationId: "1",
    result: { score: 1 },
    error: undefined,
  });
  assert.deepEqual(parseMessage('{"type":7,"error":"Token expired","allowReconnect":false}'), {
    type: 7,
    error: "Token expired",
    allowReconnect: false,
  });
  assert.deepEqual(parseMessage('{"type":6}'), { type: 6 });
});

Deno.test("parseMessage() keeps a known close reason code and drops an unknown one", () => {
  assert.deepEqual(parseMessage('{"type":7,"error":"Token expired","reason":"token-expired"}'), {
    type: 7,
    error: "Token expired",
    allowReconnect: false,
    reason: CloseReason.TokenExpired,
  });
  assert.deepEqual(parseMessage('{"type":7,"error":"Bye","reason":"gone-fishing"}'), {
    type: 7,
    error: "Bye",
    allowReconnect: false,
  });
});

Deno.test("parseMessage() throws SyntaxError on records that aren't hub messages", () => {
  assert.throws(() => parseMessage("nope"), SyntaxError);
  assert.throws(() => parseMessage("[]"), SyntaxError);
  assert.throws(() => parseMessage("{}"), SyntaxError);
  assert.throws(() => parseMessage('{"type":1}'), SyntaxError);
  assert.throws(() => parseMessage('{"type":3}'), SyntaxError);
});
