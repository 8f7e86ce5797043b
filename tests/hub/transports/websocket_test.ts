import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="../../../src/hub/ws_types.d.ts"
import { Sender } from "ws";
import { webSocketFrame } from "../../../src/hub/transports/websocket.ts";

/** The frame `ws` itself writes for `data`, its parts joined. */
function framedByWs(data: string | Uint8Array): Buffer {
  const text = typeof data === "string";
  const payload = text ? Buffer.from(data) : Buffer.from(data);
  const options = { fin: true, opcode: text ? 1 : 2, mask: false, readOnly: false, rsv1: false };
  return Buffer.concat(Sender.frame(payload, options as never));
}

Deno.test("webSocketFrame() frames text and bytes as ws does, at every length encoding", () => {
  for (const length of [0, 1, 125, 126, 200, 65_535, 65_536, 70_000]) {
    const text = "é".repeat(Math.floor(length / 2)) + "x".repeat(length % 2);
    assert.deepEqual(webSocketFrame(text), framedByWs(text), `text of ${length} bytes`);
    const bytes = new Uint8Array(length).map((_, i) => i * 7);
    assert.deepEqual(webSocketFrame(bytes), framedByWs(bytes), `${length} bytes`);
  }
});

Deno.test("webSocketFrame() frames text of every kind as ws does, short and long", () => {
  const pieces = ["a", "é", "€", "😀", "\ud800", "\udc00x", "\x1e", '"'];
  // Around the scratch buffer's limit (16 KiB, a third of it in UTF-16 units) and the headers'.
  for (const units of [0, 1, 41, 42, 125, 126, 5461, 5462, 5463, 21_845, 21_846, 30_000]) {
    for (const piece of pieces) {
      const text = piece.repeat(Math.ceil(units / piece.length)).slice(0, units);
      assert.deepEqual(webSocketFrame(text), framedByWs(text), `${units} units of ${piece}`);
    }
  }
});

Deno.test("webSocketFrame() takes the bytes of a view, not of its whole buffer", () => {
  const whole = new Uint8Array([9, 9, 1, 2, 3, 9]);
  const framed = webSocketFrame(whole.subarray(2, 5));
  assert.deepEqual([...framed], [0x82, 3, 1, 2, 3]);
});
