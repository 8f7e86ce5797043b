/**
 * The hub's HTTP routes by hand against the real server: negotiate in both
 * versions, long polling and Server-Sent Events spoken request by request,
 * and every refusal (unknown or foreign connection ids, a second POST at
 * once, a body too large, a POST to a WebSocket connection).
 */

import assert from "node:assert/strict";
import { CHEAP_HASH, startTestServer, type TestServer } from "../support/test_server.ts";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { encodeRecord, JSON_HANDSHAKE, splitRecords } from "../../src/hub/wire.ts";

async function withServer(
  fn: (server: TestServer, player: TestPlayer) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const server = await startTestServer({ hashParameters: CHEAP_HASH, env });
  try {
    await fn(server, await registerAndLogin(server.url));
  } finally {
    await server.stop();
  }
}

function hub(server: TestServer, player: TestPlayer) {
  const headers = { authorization: `Bearer ${player.token}` };
  const url = (query: string) => `${server.url}game${query}`;
  return {
    async negotiate(query = "?negotiateVersion=1") {
      const response = await fetch(url(`/negotiate${query}`), { method: "POST", headers });
      assert.equal(response.status, 200);
      return await response.json();
    },
    async request(method: string, id: string, init: RequestInit = {}) {
      const response = await fetch(url(`?id=${id}`), {
        method,
        ...init,
        headers: { ...headers, ...init.headers },
      });
      const body = new TextDecoder().decode(await response.arrayBuffer());
      return { status: response.status, body };
    },
  };
}

const records = (body: string) => splitRecords("", body).records.map((r) => JSON.parse(r));

Deno.test("negotiate answers versions 0 and 1, and grants stateful reconnect when asked", async () => {
  await withServer(async (server, player) => {
    const h = hub(server, player);
    const v1 = await h.negotiate("?negotiateVersion=1");
    assert.equal(v1.negotiateVersion, 1);
    assert.equal(typeof v1.connectionToken, "string");
    assert.equal(v1.useStatefulReconnect, undefined);
    assert.deepEqual(v1.availableTransports.map((t: { transport: string }) => t.transport), [
      "WebSockets",
      "ServerSentEvents",
      "LongPolling",
    ]);
    const v0 = await h.negotiate("");
    assert.equal(v0.negotiateVersion, 0);
    assert.equal(v0.connectionToken, undefined);
    assert.equal((await h.negotiate("?negotiateVersion=7")).negotiateVersion, 1);
    const stateful = await h.negotiate("?negotiateVersion=1&useStatefulReconnect=true");
    assert.equal(stateful.useStatefulReconnect, true);
  });
  await withServer(async (server, player) => {
    const off = await hub(server, player).negotiate(
      "?negotiateVersion=1&useStatefulReconnect=true",
    );
    assert.equal(off.useStatefulReconnect, undefined, "RECONNECT_WINDOW_SECONDS=0 turns it off");
  }, { RECONNECT_WINDOW_SECONDS: "0" });
});

Deno.test("long polling by hand: open, handshake, invoke, DELETE", async () => {
  await withServer(async (server, player) => {
    const h = hub(server, player);
    const { connectionToken: id } = await h.negotiate();
    assert.deepEqual(await h.request("GET", id), { status: 200, body: "" }, "the first poll opens");
    assert.equal((await h.request("POST", id, { body: encodeRecord(JSON_HANDSHAKE) })).status, 200);
    const first = await h.request("GET", id);
    const [handshake, info, count] = records(first.body);
    assert.deepEqual(handshake, {});
    assert.equal(info.target, "GameInfo");
    assert.deepEqual(count, { type: 1, target: "PlayerCount", arguments: [{ online: 1 }] });
    const poll = h.request("GET", id);
    const click = encodeRecord({ type: 1, invocationId: "1", target: "Increment", arguments: [] });
    assert.equal((await h.request("POST", id, { body: click })).status, 200);
    assert.deepEqual(records((await poll).body).filter((r) => r.type === 3), [{
      type: 3,
      invocationId: "1",
      result: { score: 1, multiplier: 1, multiplierCost: 10, counted: true },
    }]);
    assert.equal((await h.request("DELETE", id)).status, 202);
    assert.deepEqual(records((await h.request("GET", id)).body), [{ type: 7 }]);
    assert.equal((await h.request("GET", id)).status, 204);
    assert.equal((await h.request("POST", id, { body: click })).status, 404);
    assert.equal(server.server.health().online.connections, 0);
  });
});

Deno.test("Server-Sent Events by hand: one event per message, messages by POST", async () => {
  await withServer(async (server, player) => {
    const h = hub(server, player);
    const { connectionToken: id } = await h.negotiate();
    const stream = await fetch(`${server.url}game?id=${id}`, {
      headers: { authorization: `Bearer ${player.token}`, accept: "text/event-stream" },
    });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get("content-type"), "text/event-stream");
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (part: string) => {
      while (!text.includes(part)) text += (await reader.read()).value ?? "";
    };
    await until(":\r\n");
    assert.equal((await h.request("POST", id, { body: encodeRecord(JSON_HANDSHAKE) })).status, 200);
    await until("PlayerCount");
    assert.ok(
      text.startsWith(':\r\ndata: {}\x1e\r\n\r\ndata: {"type":1,"target":"GameInfo"'),
      text,
    );
    // A second stream for the same connection is refused.
    assert.equal(
      (await h.request("GET", id, { headers: { accept: "text/event-stream" } })).status,
      409,
    );
    assert.equal((await h.request("DELETE", id)).status, 202);
    await until('data: {"type":7}');
    await reader.cancel();
  });
});

Deno.test("the hub refuses unknown and foreign ids, a second POST at once, and big bodies", async () => {
  await withServer(async (server, player) => {
    const h = hub(server, player);
    const other = hub(server, await registerAndLogin(server.url));
    assert.equal((await h.request("GET", "nope")).status, 404);
    assert.equal((await h.request("POST", "nope", { body: "x" })).status, 404);
    assert.equal(
      (await fetch(`${server.url}game`, {
        headers: { authorization: `Bearer ${player.token}` },
      })).status,
      400,
    );
    const { connectionToken: id } = await h.negotiate();
    assert.equal((await other.request("GET", id)).status, 403, "another player's negotiation");
    await h.request("GET", id);
    assert.equal((await other.request("POST", id, { body: "x" })).status, 403);
    // A POST whose body never ends holds the connection's one POST slot.
    const { promise: never, resolve: finish } = Promise.withResolvers<void>();
    const slow = fetch(`${server.url}game?id=${id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${player.token}` },
      body: new ReadableStream({
        async pull(controller) {
          controller.enqueue(new TextEncoder().encode("{"));
          await never;
          controller.close();
        },
      }),
      // @ts-ignore: required for a stream body, missing in lib.dom
      duplex: "half",
    });
    // Until the server has it, an empty POST (nothing to read) gets 200; then 409.
    let status = 200;
    for (let tries = 0; status === 200 && tries < 1000; tries++) {
      status = (await h.request("POST", id, { body: "" })).status;
    }
    assert.equal(status, 409);
    assert.equal((await h.request("POST", id, { body: "x" })).status, 409);
    finish();
    await (await slow).body?.cancel();
    const big = await h.request("POST", id, { body: "x".repeat(65 * 1024) });
    assert.equal(big.status, 413);
    assert.match(records((await h.request("GET", id)).body).at(-1).error, /larger than 65536/);
  });
});

Deno.test("a WebSocket connection takes no POST; a started id takes no second transport", async () => {
  await withServer(async (server, player) => {
    const h = hub(server, player);
    const { connectionToken: id } = await h.negotiate();
    const socket = new WebSocket(
      `${server.url.replace("http", "ws")}game?id=${id}&access_token=${player.token}`,
    );
    await new Promise((resolve) => socket.onopen = resolve);
    assert.equal((await h.request("POST", id, { body: "x" })).status, 405);
    assert.equal((await h.request("DELETE", id)).status, 405);
    assert.equal((await h.request("GET", id)).status, 409);
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
  });
});
