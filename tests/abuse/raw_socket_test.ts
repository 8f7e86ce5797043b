import assert from "node:assert/strict";
import { encodeFrame, frameHeader, Opcode, readFrameHead, upgradeRequest } from "./raw_socket.ts";

Deno.test("frameHeader() picks the 7-bit, 16-bit or 64-bit length and sets the mask bit", () => {
  for (const [length, headLength] of [[5, 6], [126, 8], [65_535, 8], [65_536, 14]]) {
    const head = frameHeader(Opcode.Text, length);
    assert.equal(head.length, headLength, `length ${length}`);
    assert.deepEqual(readFrameHead(head), { fin: true, opcode: 1, length, headLength });
  }
  const fragment = frameHeader(Opcode.Text, 3, { fin: false });
  assert.equal(readFrameHead(fragment)?.fin, false);
});

Deno.test("encodeFrame() masks the payload with the key it writes", () => {
  const payload = new TextEncoder().encode("hello");
  assert.deepEqual(encodeFrame(Opcode.Text, payload).subarray(6), payload, "zero key: as is");
  const mask = new Uint8Array([1, 2, 3, 4]);
  const frame = encodeFrame(Opcode.Text, payload, { mask });
  assert.deepEqual(frame.subarray(2, 6), mask);
  const unmasked = frame.subarray(6).map((byte, i) => byte ^ mask[i & 3]);
  assert.equal(new TextDecoder().decode(unmasked), "hello");
});

Deno.test("readFrameHead() waits for the whole head of an unmasked server frame", () => {
  const head = new Uint8Array([0x88, 126, 0x01]);
  assert.equal(readFrameHead(head), undefined);
  assert.deepEqual(readFrameHead(new Uint8Array([0, 0x88, 2, 3, 0xe8]), 1), {
    fin: true,
    opcode: Opcode.Close,
    length: 2,
    headLength: 2,
  });
});

Deno.test("upgradeRequest() asks for /game with its query and extra headers", () => {
  const text = upgradeRequest(new URL("ws://127.0.0.1:8000/game?access_token=a.b"), {
    Origin: "http://evil.example",
  });
  assert.match(text, /^GET \/game\?access_token=a\.b HTTP\/1\.1\r\nHost: 127\.0\.0\.1:8000\r\n/);
  assert.match(text, /\r\nSec-WebSocket-Key: [+/0-9A-Za-z]{22}==\r\n/);
  assert.match(text, /\r\nOrigin: http:\/\/evil\.example\r\n\r\n$/);
});
