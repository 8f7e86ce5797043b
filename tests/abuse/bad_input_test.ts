/**
 * Bad input against the real server: every kind of broken or hostile record
 * gets a completion error or a close with an error, touches nobody else, and
 * a well-behaved player then still plays a full round.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { argumentOf, type HubRecord, type HubSocket, openHub } from "./hub_socket.ts";
import { openRawSocket } from "./raw_socket.ts";
import {
  CloseReason,
  encodeRecord,
  JSON_HANDSHAKE,
  RECORD_SEPARATOR as RS,
} from "../../src/hub/wire.ts";

const HANDSHAKE = encodeRecord(JSON_HANDSHAKE);

/**
 * Waits for the server's close record (or handshake error) and the socket's
 * closing; with `reason`, the close record must carry that code.
 */
async function closedWithError(
  socket: HubSocket,
  error: RegExp,
  reason?: CloseReason,
): Promise<void> {
  const isHandshakeError = (r: HubRecord) => r.type === undefined && "error" in r;
  const record = await socket.waitFor((r) => r.type === 7 || isHandshakeError(r), { from: 0 });
  assert.match(String(record.error), error);
  if (reason !== undefined) {
    const close = await socket.waitFor((r) => r.type === 7, { from: 0 });
    assert.equal(close.reason, reason);
  }
  await socket.closed;
}

async function connections(url: string): Promise<number> {
  const health = await (await fetch(url + "healthz")).json();
  return health.online.connections;
}

/** Polls `/healthz` until the server holds `count` connections. */
async function untilConnections(url: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (await connections(url) !== count) {
    assert.ok(Date.now() < deadline, `the server still holds ${await connections(url)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("bad input: each gets an error, nobody else is touched, play goes on", async () => {
  const server = await spawnServer({ roundSeconds: 1 });
  const open: HubSocket[] = [];
  const hub = async (token: string, options?: { handshake?: boolean }) => {
    const socket = await openHub(server.url, token, options);
    open.push(socket);
    return socket;
  };
  try {
    const good = await registerAndLogin(server.url);
    const bad = await registerAndLogin(server.url);
    const bystander = await hub(good.token);

    await t("a record that isn't JSON", async () => {
      const s = await hub(bad.token);
      s.sendRaw(`this is not json${RS}`);
      await closedWithError(s, /not JSON/, CloseReason.ProtocolError);
    });
    await t("a record that is JSON but not an object", async () => {
      const s = await hub(bad.token);
      s.sendRaw(`[1,2,3]${RS}`);
      await closedWithError(s, /not a JSON object/);
    });
    await t("an unknown message type", async () => {
      const s = await hub(bad.token);
      s.send({ type: 99 });
      await closedWithError(s, /unknown type 99/);
    });
    await t("a record without a type", async () => {
      const s = await hub(bad.token);
      s.send({ target: "Increment", arguments: [] });
      await closedWithError(s, /missing type/);
    });
    await t("an invocation id that isn't a string", async () => {
      const s = await hub(bad.token);
      s.send({ type: 1, invocationId: 7, target: "Increment", arguments: [] });
      await closedWithError(s, /invocationId/);
    });
    await t("arguments that aren't an array", async () => {
      const s = await hub(bad.token);
      s.send({ type: 1, invocationId: "1", target: "Increment", arguments: "lots" });
      await closedWithError(s, /arguments must be an array/);
    });
    await t("unknown targets, wrong arguments, streams: completion errors", async () => {
      const s = await hub(bad.token);
      assert.match(String((await s.invoke("DropTables")).error), /Unknown hub method 'DropTables'/);
      assert.match(String((await s.invoke("Increment", [1000])).error), /takes no arguments/);
      assert.match(String((await s.invoke("BuyMultiplier", [{}])).error), /takes no arguments/);
      assert.match(String((await s.invoke("BuyMultiplier")).error), /Not enough points/);
      s.send({ type: 1, target: "NoSuchThing", arguments: [] }); // no id: no answer
      const streamed = s.waitFor((r) => r.type === 3 && r.invocationId === "s1");
      s.send({ type: 4, invocationId: "s1", target: "Increment", arguments: [] });
      assert.match(String((await streamed).error), /Streaming/);
      // Still open and playing.
      assert.equal((await s.invoke("Increment")).error, undefined);
      await s.close();
    });
    await t("a frame over 32 KiB: one huge record", async () => {
      const s = await hub(bad.token);
      s.send({ type: 1, target: "Increment", arguments: ["x".repeat(40_000)] });
      await closedWithError(s, /larger than 32768 bytes/, CloseReason.MessageTooLarge);
      assert.equal((await s.closed).code, 1009);
    });
    await t("a frame over 32 KiB: many small records", async () => {
      const s = await hub(bad.token);
      s.sendRaw(`{"type":1,"target":"Increment","arguments":[]}${RS}`.repeat(1000));
      await closedWithError(s, /larger than 32768 bytes/);
    });
    await t("a record that never ends", async () => {
      const s = await hub(bad.token);
      for (let i = 0; i < 5 && s.ws.readyState === WebSocket.OPEN; i++) {
        s.sendRaw(`{"type":1,"target":"Increment","arguments":["${"y".repeat(8000)}`);
      }
      await closedWithError(s, /larger than 32768 bytes/);
    });
    await t("a handshake for another protocol", async () => {
      const s = await hub(bad.token, { handshake: false });
      s.sendRaw(`{"protocol":"protobuf","version":1}${RS}`);
      await closedWithError(
        s,
        /protocol 'protobuf' is not supported/,
        CloseReason.HandshakeRefused,
      );
    });
    await t("a handshake for another version", async () => {
      const s = await hub(bad.token, { handshake: false });
      s.sendRaw(`{"protocol":"json","version":3}${RS}`);
      await closedWithError(s, /version 3/);
    });
    await t("a handshake that isn't JSON", async () => {
      const s = await hub(bad.token, { handshake: false });
      s.sendRaw(`hello${RS}`);
      await closedWithError(s, /not JSON/);
    });
    await t("a binary frame, before and after the handshake", async () => {
      const before = await hub(bad.token, { handshake: false });
      before.sendRaw(new Uint8Array([0x93, 1, 2, 3]));
      await closedWithError(before, /Binary messages are not supported/, CloseReason.ProtocolError);
      const after = await hub(bad.token);
      after.sendRaw(new TextEncoder().encode(`{"type":6}${RS}`));
      await closedWithError(after, /Binary messages are not supported/);
    });
    await t("a burst of pings within the connection's budget", async () => {
      const s = await hub(bad.token);
      const from = s.records.length;
      // 20 messages, 2,000 pings, 22 KB: far more than a client sends, within the budget.
      for (let i = 0; i < 20; i++) s.sendRaw(`{"type":6}${RS}`.repeat(100));
      assert.equal((await s.invoke("Increment")).error, undefined);
      // Pings get no answer; nothing but the completion (and maybe a broadcast) came back.
      const answers = s.records.slice(from).filter((r) => r.type === 6);
      assert.ok(answers.length <= 1, `${answers.length} pings came back`);
      await s.close();
    });
    await t("a flood of messages over the connection's budget, then straight back", async () => {
      const flooder = await registerAndLogin(server.url);
      const s = await hub(flooder.token);
      for (let i = 0; i < 300 && s.ws.readyState === WebSocket.OPEN; i++) {
        s.sendRaw(`{"type":6}${RS}`);
      }
      await closedWithError(s, /Too many messages: at most 200 a second/, CloseReason.OverBudget);
      assert.equal((await s.closed).code, 1008);
      // Reconnecting at once would start a fresh budget: the player is kept out a while.
      const again = await fetch(server.url + "game/negotiate?negotiateVersion=1", {
        method: "POST",
        headers: { authorization: `Bearer ${flooder.token}` },
      });
      assert.equal(again.status, 429);
      assert.ok(Number(again.headers.get("retry-after")) >= 1);
      assert.match((await again.json()).message, /Closed for flooding: wait \d+ s/);
      // Nobody else is kept out.
      const other = await hub(bad.token);
      assert.equal((await other.invoke("Increment")).error, undefined);
      await other.close();
    });
    await t("a flood of bytes over the connection's budget", async () => {
      const s = await hub((await registerAndLogin(server.url)).token);
      for (let i = 0; i < 10 && s.ws.readyState === WebSocket.OPEN; i++) {
        s.sendRaw(`{"type":6}${RS}`.repeat(1000));
      }
      await closedWithError(
        s,
        /Too much data: at most 65536 bytes a second/,
        CloseReason.OverBudget,
      );
    });
    await t("a malformed upgrade: no Connection header, no key", async () => {
      const url = server.url + "game?access_token=" + bad.token;
      const response = await fetch(url, { headers: { upgrade: "websocket" } });
      assert.equal(response.status, 400);
      assert.match((await response.json()).message, /Cannot upgrade to WebSocket/);
    });
    await t("a text frame that isn't UTF-8, and bytes that aren't frames", async () => {
      const before = await connections(server.url);
      const invalid = await openRawSocket(server.url, bad.token);
      await invalid.sendText(HANDSHAKE);
      await invalid.sendFrame(1, new Uint8Array([0xc3, 0x28, 0xff, 0x1e]));
      const garbage = await openRawSocket(server.url, bad.token);
      await garbage.sendFrame(1, new TextEncoder().encode(HANDSHAKE));
      await garbage.sendFrame(0, new Uint8Array(0)); // a continuation with nothing to continue
      await untilConnections(server.url, before);
      invalid.close();
      garbage.close();
    });
    await t("thousands of invocations from a client that never reads", async () => {
      const before = await connections(server.url);
      const raw = await openRawSocket(server.url, bad.token);
      await raw.sendText(HANDSHAKE);
      let sent = 0;
      let refused = false;
      const frame = () => {
        let text = "";
        for (let i = 0; i < 300; i++) {
          text += `{"type":1,"invocationId":"${++sent}","target":"Increment","arguments":[]}${RS}`;
        }
        return text;
      };
      try {
        while (sent < 300_000 && await connections(server.url) > before) {
          for (let i = 0; i < 20; i++) await raw.sendText(frame());
          // The well-behaved player next to it is served meanwhile.
          const started = performance.now();
          assert.equal((await bystander.invoke("Increment")).error, undefined);
          assert.ok(performance.now() - started < 1000, "the bystander waited over a second");
        }
      } catch (error) {
        if (
          !(error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe)
        ) {
          throw error;
        }
        refused = true; // the server dropped it and closed the TCP connection
      }
      await untilConnections(server.url, before);
      raw.close();
      assert.ok(refused || sent < 300_000, "the slow client was never dropped");
    });

    // Nobody else was touched: the bystander is still there.
    assert.equal(bystander.ws.readyState, WebSocket.OPEN);

    // A well-behaved player plays a full round.
    const player = await hub(good.token);
    const start = argumentOf(await player.waitFor((r) => r.target === "EndRound"));
    const ended = player.waitFor((r) => r.target === "EndRound");
    for (let i = 0; i < 5; i++) {
      const completion = await player.invoke("Increment");
      assert.equal((completion.result as { counted: boolean }).counted, true);
    }
    const end = argumentOf(await ended);
    assert.equal(end.roundId, Number(start.roundId) + 1);
    assert.deepEqual(end.winners, [good.username]);
    assert.equal(end.nbClicks, 5);
    const health = await fetch(server.url + "healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    for (const socket of open) await socket.close();
    assert.equal(await server.stop(), 0);
  }
  // Nothing unexpected happened inside: no stack trace was logged.
  assert.doesNotMatch(server.output(), /\n\s+at /);
});

/** A named step, so a failure says which input it was. */
async function t(name: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
  }
}
