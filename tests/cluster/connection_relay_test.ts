/**
 * The relay against a real HTTP server standing in for the server that owns
 * a connection: what is passed on, what is streamed back, and when nothing
 * is relayed.
 */

import assert from "node:assert/strict";
import { ConnectionRelay, RELAYED_BY } from "../../src/cluster/connection_relay.ts";
import { connectionToken } from "../../src/hub/connection_token.ts";
import { quietLog } from "../../src/log/problem_log.ts";
import { CollectingLog } from "../support/collecting_log.ts";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
}

/** A server that records each request and answers as `answer` says. */
function owner(answer: (request: Request) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const body = request.method === "POST" ? await request.text() : "";
    seen.push({ method: request.method, url: request.url, headers: request.headers, body });
    return await answer(request);
  });
  return { seen, server, address: `http://127.0.0.1:${server.addr.port}` };
}

function relayTo(addresses: Record<string, string>): ConnectionRelay {
  return new ConnectionRelay({
    serverId: "here",
    addressOf: (id) => Promise.resolve(addresses[id]),
    log: quietLog,
  });
}

Deno.test("ConnectionRelay.forward() passes the request on as it came, marked, and answers with the owner's answer", async () => {
  const target = owner(() => new Response("ok", { status: 200, headers: { "x-from": "owner" } }));
  const relay = relayTo({ there: target.address });
  try {
    const token = connectionToken("there");
    const request = new Request(`http://clicker.example:8080/game?id=${token}`, {
      method: "POST",
      headers: {
        cookie: "clicker_session=abc",
        authorization: "Bearer jwt",
        origin: "http://clicker.example:8080",
        "content-type": "text/plain",
      },
      body: "{}\x1e",
    });
    const answer = await relay.forward(request, token, "203.0.113.9");
    assert.ok(answer);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("x-from"), "owner");
    assert.equal(await answer.text(), "ok");
    const [seen] = target.seen;
    assert.equal(seen.method, "POST");
    assert.equal(seen.url, `http://clicker.example:8080/game?id=${token}`, "Host kept");
    assert.equal(seen.body, "{}\x1e");
    assert.equal(seen.headers.get("cookie"), "clicker_session=abc");
    assert.equal(seen.headers.get("authorization"), "Bearer jwt");
    assert.equal(seen.headers.get("origin"), "http://clicker.example:8080");
    assert.equal(seen.headers.get("x-forwarded-for"), "203.0.113.9");
    assert.equal(seen.headers.get(RELAYED_BY), "here");
  } finally {
    relay.close();
    await target.server.shutdown();
  }
});

Deno.test("ConnectionRelay.forward() streams the owner's answer as it is written", async () => {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled = Promise.withResolvers<void>();
  const target = owner(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        start: (controller) => {
          push = controller;
          controller.enqueue(new TextEncoder().encode(":\r\n"));
        },
        cancel: () => cancelled.resolve(),
      }),
      { headers: { "content-type": "text/event-stream" } },
    )
  );
  const relay = relayTo({ there: target.address });
  try {
    const token = connectionToken("there");
    const answer = await relay.forward(
      new Request(`http://h/game?id=${token}`, { headers: { accept: "text/event-stream" } }),
      token,
      "127.0.0.1",
    );
    assert.ok(answer?.body);
    assert.equal(answer.headers.get("content-type"), "text/event-stream");
    const reader = answer.body.getReader();
    const decoder = new TextDecoder();
    assert.equal(decoder.decode((await reader.read()).value), ":\r\n");
    push.enqueue(new TextEncoder().encode("data: one\r\n\r\n"));
    assert.equal(decoder.decode((await reader.read()).value), "data: one\r\n\r\n");
    // The client leaves: the owner sees its own client leave.
    await reader.cancel();
    await cancelled.promise;
  } finally {
    relay.close();
    await target.server.shutdown();
  }
});

Deno.test("ConnectionRelay.forward() relays nothing for its own, unowned, relayed or unknown tokens", async () => {
  const target = owner(() => new Response("ok"));
  const relay = relayTo({ there: target.address });
  try {
    const get = (token: string, headers: HeadersInit = {}) =>
      relay.forward(new Request(`http://h/game?id=${token}`, { headers }), token, "127.0.0.1");
    assert.equal(await get(connectionToken("here")), undefined, "this server's own");
    assert.equal(await get(connectionToken()), undefined, "no owner");
    assert.equal(await get("there.not-a-token"), undefined, "not a token");
    assert.equal(await get(connectionToken("gone")), undefined, "no live server of that id");
    const twice = await get(connectionToken("there"), { [RELAYED_BY]: "elsewhere" });
    assert.equal(twice, undefined, "relayed already");
    assert.equal(target.seen.length, 0);
  } finally {
    relay.close();
    await target.server.shutdown();
  }
});

Deno.test("ConnectionRelay.forward() relays nothing to an owner that can't be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const logged = new CollectingLog();
  const relay = new ConnectionRelay({
    serverId: "here",
    addressOf: () => Promise.resolve(`http://127.0.0.1:${port}`),
    log: logged,
  });
  const token = connectionToken("there");
  const answer = await relay.forward(new Request(`http://h/game?id=${token}`), token, "127.0.0.1");
  assert.equal(answer, undefined);
  assert.equal(logged.records.length, 1);
  const [reported] = logged.records;
  assert.equal(reported.message, "Cannot relay request to the server that holds its connection");
  assert.deepEqual(
    { method: reported.fields.method, path: reported.fields.path, owner: reported.fields.owner },
    { method: "GET", path: "/game", owner: "there" },
  );
  assert.ok(typeof reported.fields.error === "string" && reported.fields.error !== "");
  assert.ok(!logged.lines[0].includes(token), "the token is never logged");
});
