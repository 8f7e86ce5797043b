/**
 * `serve()` and responses that last: a response marked as a long-lived
 * stream outlives the whole-request timeout, an unmarked one doesn't, and a
 * request whose body is still arriving stays timed even when marked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serve, type Served, type ServeEnv } from "../../src/http/serve.ts";
import { quietLog } from "../../src/log/problem_log.ts";

const REQUEST_TIMEOUT_MS = 300;
/** How long the test streams keep going: well past the request timeout. */
const STREAM_MS = 3 * REQUEST_TIMEOUT_MS;

/** A body that sends `first`, then `last` after `ms`, then ends. */
function slowBody(first: string, last: string, ms: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(first));
      timer = setTimeout(() => {
        controller.enqueue(encoder.encode(last));
        controller.close();
      }, ms);
    },
    cancel: () => clearTimeout(timer),
  });
}

/** A server whose `/stream` marks its slow response as a stream and `/plain` doesn't. */
function start(): Promise<Served> {
  return serve({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: 100,
    headersTimeoutMs: REQUEST_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    log: quietLog,
    fetch: (request: Request, env: ServeEnv) => {
      const path = new URL(request.url).pathname;
      if (path === "/stream") env.stream?.();
      // A POST's stream would last a minute: only the sweep ends it sooner.
      return new Response(slowBody("a", "b", request.method === "POST" ? 60_000 : STREAM_MS));
    },
  });
}

async function withServer(fn: (base: string, served: Served) => Promise<void>): Promise<void> {
  const served = await start();
  try {
    await fn(`http://127.0.0.1:${served.port}`, served);
  } finally {
    await served.close(0);
  }
}

Deno.test("serve(): a response marked as a stream outlives the request timeout", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/stream`);
    assert.equal(await response.text(), "ab");
  });
});

Deno.test("serve(): an unmarked response is cut at the request timeout", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/plain`);
    await assert.rejects(response.text());
  });
});

Deno.test("serve(): a marked request whose body is still arriving stays timed", async () => {
  await withServer(async (_base, served) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: served.port });
    try {
      // Ten bytes promised, one sent: the request never arrives whole.
      const head = "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx";
      await conn.write(new TextEncoder().encode(head));
      const startedAt = Date.now();
      const buffer = new Uint8Array(1024);
      try {
        while (await conn.read(buffer) !== null) { /* the response's first bytes */ }
      } catch { /* reset: closed too */ }
      // Closed by the sweep, long before the stream would have ended by itself.
      assert.ok(Date.now() - startedAt < 30_000, "closed at the request timeout");
    } finally {
      conn.close();
    }
  });
});
