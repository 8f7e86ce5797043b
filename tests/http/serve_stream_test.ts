/**
 * `serve()` and responses that last: a response marked as a long-lived
 * stream outlives the whole-request timeout, an unmarked one doesn't, and a
 * request whose body is still arriving stays timed even when marked. The
 * server's clock and the wait between its sweeps are fake: each test moves
 * time past the timeout rather than waiting for it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serve, type Served, type ServeEnv } from "../../src/http/serve.ts";
import { quietLog } from "../../src/log/problem_log.ts";
import { FakeTime } from "../support/fake_time.ts";

const REQUEST_TIMEOUT_MS = 300;

/** A response body that sends "a" at once, and "b" when the test ends it. */
class HeldBody {
  readonly #encoder = new TextEncoder();
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      this.#controller = controller;
      controller.enqueue(this.#encoder.encode("a"));
    },
  });

  end(): void {
    this.#controller!.enqueue(this.#encoder.encode("b"));
    this.#controller!.close();
  }
}

/** A server on a fake clock whose `/stream` marks its held response as a stream and `/plain` doesn't. */
interface Setup {
  readonly base: string;
  readonly served: Served;
  readonly time: FakeTime;
  /** The body of the answer, once the handler gave it. */
  readonly answered: Promise<HeldBody>;
}

async function withServer(fn: (setup: Setup) => Promise<void>): Promise<void> {
  const time = new FakeTime();
  const answer = Promise.withResolvers<HeldBody>();
  const served = await serve({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: 100,
    headersTimeoutMs: REQUEST_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    log: quietLog,
    now: time.clock,
    sleep: time.sleep,
    fetch: (request: Request, env: ServeEnv) => {
      if (new URL(request.url).pathname === "/stream") env.stream?.();
      const body = new HeldBody();
      answer.resolve(body);
      return new Response(body.stream);
    },
  });
  try {
    await fn({ base: `http://127.0.0.1:${served.port}`, served, time, answered: answer.promise });
  } finally {
    await served.close(0);
  }
}

Deno.test("serve(): a response marked as a stream outlives the request timeout", async () => {
  await withServer(async ({ base, served, time, answered }) => {
    const response = await fetch(`${base}/stream`);
    await time.advance(3 * REQUEST_TIMEOUT_MS);
    assert.equal(served.connections, 1, "still open past the request timeout");
    (await answered).end();
    assert.equal(await response.text(), "ab");
  });
});

Deno.test("serve(): an unmarked response is cut at the request timeout", async () => {
  await withServer(async ({ base, served, time }) => {
    const response = await fetch(`${base}/plain`);
    await time.advance(REQUEST_TIMEOUT_MS - 1);
    assert.equal(served.connections, 1, "open until the request timeout");
    await time.advance(1);
    assert.equal(served.connections, 0, "closed at the request timeout");
    await assert.rejects(response.text());
  });
});

Deno.test("serve(): a marked request whose body is still arriving stays timed", async () => {
  await withServer(async ({ served, time, answered }) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: served.port });
    try {
      // Ten bytes promised, one sent: the request never arrives whole.
      const head = "POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx";
      await conn.write(new TextEncoder().encode(head));
      await answered;
      await time.advance(REQUEST_TIMEOUT_MS - 1);
      assert.equal(served.connections, 1, "open until the request timeout");
      await time.advance(1);
      assert.equal(served.connections, 0, "closed at the request timeout, though marked");
      const buffer = new Uint8Array(1024);
      try {
        while (await conn.read(buffer) !== null) { /* the response's first bytes */ }
      } catch { /* reset: closed too */ }
    } finally {
      conn.close();
    }
  });
});
