import assert from "node:assert/strict";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { type HubMessage, MessageType, NullLogger } from "@microsoft/signalr";
import {
  LengthPrefixedReader,
  MESSAGEPACK_PROTOCOL,
  parseMessagePack,
  withLengthPrefix,
} from "../../src/hub/messagepack_protocol.ts";
import { MAX_RECORD_BYTES, ProtocolError } from "../../src/hub/protocol.ts";
import { CloseReason } from "../../src/hub/wire.ts";

/** The official client's reading of bytes the server wrote. */
function clientReads(bytes: Uint8Array | string): HubMessage[] {
  const copy = new Uint8Array(bytes as Uint8Array);
  return new MessagePackHubProtocol().parseMessages(copy.buffer, NullLogger.instance);
}

/** Bytes the official client writes for `message`. */
function clientWrites(message: HubMessage): Uint8Array {
  return new Uint8Array(new MessagePackHubProtocol().writeMessage(message));
}

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("withLengthPrefix() writes the spec's varint lengths", () => {
  assert.deepEqual(withLengthPrefix(new Uint8Array(11)).subarray(0, 1), bytes(0x0b));
  assert.deepEqual(withLengthPrefix(new Uint8Array(5248)).subarray(0, 2), bytes(0x80, 0x29));
  assert.deepEqual(withLengthPrefix(new Uint8Array(127)).subarray(0, 1), bytes(0x7f));
  assert.deepEqual(withLengthPrefix(new Uint8Array(128)).subarray(0, 2), bytes(0x80, 0x01));
});

Deno.test("LengthPrefixedReader.read() splits messages and keeps an unfinished one", () => {
  const reader = new LengthPrefixedReader();
  const frames = bytes(0x02, 0x91, 0x06, 0x0b, ...new TextEncoder().encode("Hello\nWorld"), 0x02);
  assert.deepEqual(reader.read(frames).map((b) => [...b]), [
    [0x91, 0x06],
    [...new TextEncoder().encode("Hello\nWorld")],
  ]);
  assert.deepEqual(reader.read(bytes(0x91)), []);
  assert.deepEqual(reader.read(bytes(0x06)).map((b) => [...b]), [[0x91, 0x06]]);
});

Deno.test("LengthPrefixedReader.read() refuses text, oversize messages and long prefixes", () => {
  const refuses = (
    frame: Uint8Array | string,
    pattern: RegExp,
    reason: CloseReason = CloseReason.ProtocolError,
  ) =>
    assert.throws(
      () => new LengthPrefixedReader().read(frame),
      (e) => e instanceof ProtocolError && pattern.test(e.message) && e.reason === reason,
    );
  refuses('{"type":6}\x1e', /Text messages are not supported by the MessagePack protocol/);
  refuses(new Uint8Array(MAX_RECORD_BYTES + 1), /larger than 32768/, CloseReason.MessageTooLarge);
  const big = withLengthPrefix(new Uint8Array(MAX_RECORD_BYTES + 1)).subarray(0, 4);
  refuses(big, /larger than 32768/, CloseReason.MessageTooLarge);
  refuses(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), /length prefix longer than 5 bytes/);
});

Deno.test("parseMessagePack() reads the spec's examples", () => {
  const invocation = bytes(
    0x96,
    0x01,
    0x80,
    0xa3,
    0x78,
    0x79,
    0x7a,
    0xa6,
    0x6d,
    0x65,
    0x74,
    0x68,
    0x6f,
    0x64,
    0x91,
    0x2a,
    0x90,
  );
  assert.deepEqual(parseMessagePack(invocation), {
    type: 1,
    invocationId: "xyz",
    target: "method",
    arguments: [42],
  });
  const nonBlocking = bytes(
    0x96,
    0x01,
    0x80,
    0xc0,
    0xa6,
    0x6d,
    0x65,
    0x74,
    0x68,
    0x6f,
    0x64,
    0x91,
    0x2a,
    0x90,
  );
  assert.equal(
    (parseMessagePack(nonBlocking) as { invocationId?: string }).invocationId,
    undefined,
  );
  assert.deepEqual(parseMessagePack(bytes(0x91, 0x06)), { type: 6 });
  assert.deepEqual(parseMessagePack(bytes(0x92, 0x08, 0xcc, 0x24)), { type: 8, sequenceId: 36 });
  assert.deepEqual(parseMessagePack(bytes(0x92, 0x09, 0xcc, 0x13)), { type: 9, sequenceId: 19 });
  assert.deepEqual(parseMessagePack(bytes(0x92, 0x07, 0xa3, 0x78, 0x79, 0x7a)), {
    type: 7,
    error: "xyz",
  });
  assert.deepEqual(parseMessagePack(bytes(0x93, 0x05, 0x80, 0xa3, 0x78, 0x79, 0x7a)), { type: 5 });
});

Deno.test("parseMessagePack() reads what the official client writes", () => {
  const [body] = new LengthPrefixedReader().read(clientWrites({
    type: MessageType.Invocation,
    invocationId: "7",
    target: "Increment",
    arguments: [],
    streamIds: [],
  }));
  assert.deepEqual(parseMessagePack(body), {
    type: 1,
    invocationId: "7",
    target: "Increment",
    arguments: [],
  });
  const [ack] = new LengthPrefixedReader().read(
    clientWrites({ type: MessageType.Ack, sequenceId: 300 }),
  );
  assert.deepEqual(parseMessagePack(ack), { type: 8, sequenceId: 300 });
});

Deno.test("parseMessagePack() throws a ProtocolError on broken messages", () => {
  for (
    const [body, pattern] of [
      [bytes(0xc1), /not MessagePack/],
      [bytes(0x06), /not a MessagePack array/],
      [bytes(0x90), /not a MessagePack array/],
      [bytes(0x91, 0x2a), /unknown type 42/],
      [bytes(0x92, 0x01, 0x80), /Invocation message has 5 items/],
      [bytes(0x95, 0x01, 0x90, 0xc0, 0xa1, 0x78, 0x90), /headers must be a map/],
      [bytes(0x95, 0x01, 0x80, 0x05, 0xa1, 0x78, 0x90), /invocationId/],
      [bytes(0x95, 0x01, 0x80, 0xc0, 0x05, 0x90), /missing target/],
      [bytes(0x95, 0x01, 0x80, 0xc0, 0xa1, 0x78, 0x05), /arguments must be an array/],
      [bytes(0x92, 0x08, 0xff), /sequenceId/],
      [bytes(0x95, 0x01, 0x80, 0xc0, 0xa1, 0x78, 0x90, 0x00), /not MessagePack/],
    ] as const
  ) {
    assert.throws(
      () => parseMessagePack(body),
      (e) => e instanceof ProtocolError && pattern.test(e.message),
      [...body].map((b) => b.toString(16)).join(" "),
    );
  }
});

Deno.test("MESSAGEPACK_PROTOCOL writes what the official client reads", () => {
  const p = MESSAGEPACK_PROTOCOL;
  const endRound = {
    winners: ["ann"],
    nbClicks: 3,
    roundId: 4,
    nextRoundEndsAt: 1_795_508_709_474,
    standings: [{ username: "ann", score: 3 }],
  };
  assert.deepEqual(clientReads(p.encodeInvocation("EndRound", endRound)), [{
    type: MessageType.Invocation,
    headers: {},
    target: "EndRound",
    arguments: [endRound],
    streamIds: [],
  }]);
  const result = { score: 1, multiplier: 1, multiplierCost: 10, counted: true };
  const [completion] = clientReads(p.encodeResult("5", result));
  assert.deepEqual(completion, {
    type: MessageType.Completion,
    headers: {},
    invocationId: "5",
    result,
    error: undefined,
  });
  const [failure] = clientReads(p.encodeError("6", "Not enough points"));
  assert.equal((failure as { error?: string }).error, "Not enough points");
  assert.deepEqual(clientReads(p.ping), [{ type: MessageType.Ping }]);
  assert.deepEqual(clientReads(p.encodeClose("bye", { allowReconnect: true })), [{
    type: MessageType.Close,
    error: "bye",
    allowReconnect: true,
  }]);
  assert.deepEqual(clientReads(p.encodeAck(9)), [{ type: MessageType.Ack, sequenceId: 9 }]);
  assert.deepEqual(clientReads(p.encodeSequence(3)), [{
    type: MessageType.Sequence,
    sequenceId: 3,
  }]);
  assert.deepEqual(p.ping, bytes(0x02, 0x91, 0x06));
});

Deno.test("MESSAGEPACK_PROTOCOL answers the handshake in JSON text, as bytes", () => {
  const decode = (frame: Uint8Array | string) => new TextDecoder().decode(frame as Uint8Array);
  assert.equal(decode(MESSAGEPACK_PROTOCOL.encodeHandshake()), "{}\x1e");
  assert.equal(decode(MESSAGEPACK_PROTOCOL.encodeHandshake("no")), '{"error":"no"}\x1e');
  assert.equal(MESSAGEPACK_PROTOCOL.transferFormat, "Binary");
});
