/**
 * The listener against hostile connections, on the real server: connections
 * that never send a request, trickle its head or its body, or open by the
 * hundreds past the cap or the process's file limit; WebSocket messages that
 * never end. Which connections make room over the cap is also checked on
 * `serve()` alone, with a handler that holds requests as long as it likes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startTestServer } from "../support/test_server.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { openHub } from "../abuse/hub_socket.ts";
import { openRawSocket, writeAll } from "../abuse/raw_socket.ts";
import { rawGet } from "../support/raw_http.ts";
import { serve } from "../../src/http/serve.ts";
import { connectClient } from "../support/hub_client.ts";
import { HttpTransportType } from "@microsoft/signalr";
import { quietLog } from "../../src/log/problem_log.ts";

const RS = "\x1e";
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

function connect(url: string): Promise<Deno.TcpConn> {
  const { hostname, port } = new URL(url);
  return Deno.connect({ hostname, port: Number(port) });
}

/** Resolves once the server ends the connection (a read returns nothing or fails). */
async function ended(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  try {
    while (await conn.read(buffer) !== null) { /* discard what the server says */ }
  } catch { /* reset: ended too */ }
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

Deno.test("serve(): a connection that sends nothing, or trickles its headers, is closed", async () => {
  const server = await startTestServer({ headersTimeoutMs: 500 });
  const conns: Deno.Conn[] = [];
  try {
    const silent = await connect(server.url);
    const trickling = await connect(server.url);
    conns.push(silent, trickling);
    let trickled = 0;
    const trickle = (async () => {
      const head = new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ");
      for (;;) {
        try {
          await trickling.write(head.subarray(trickled % head.length, trickled % head.length + 1));
        } catch {
          return;
        }
        trickled++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await Promise.all([ended(silent), ended(trickling)]);
    closeAll(conns);
    await trickle;
    assert.ok(trickled > 0);
    // Honest requests still get answers.
    assert.equal((await fetch(server.url + "healthz")).status, 200);
  } finally {
    closeAll(conns);
    await server.stop();
  }
});

Deno.test("serve(): past MAX_CONNECTIONS the oldest unfinished connections are shed; players keep playing", async () => {
  const server = await startTestServer({ env: { MAX_CONNECTIONS: "40" } });
  const idle: Deno.Conn[] = [];
  try {
    const player = await registerAndLogin(server.url);
    const hub = await openHub(server.url, player.token);
    for (let i = 0; i < 100; i++) idle.push(await connect(server.url));
    // The first idle connections went first, to make room for the later ones.
    await ended(idle[0]);
    assert.ok(server.server.http.connections <= 40, `${server.server.http.connections} open`);
    assert.ok(server.server.http.shed >= 60, `${server.server.http.shed} shed`);
    // The player's socket was never a candidate; a new request gets in by shedding another.
    const completion = await hub.invoke("Increment");
    assert.equal((completion.result as { score: number }).score, 1);
    const health = await fetch(server.url + "healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    await hub.close();
  } finally {
    closeAll(idle);
    await server.stop();
  }
});

Deno.test("serve(): at the process's file limit the server keeps accepting, and players keep playing", async () => {
  const server = await spawnServer({ fileLimit: 256 });
  const flood: Deno.Conn[] = [];
  try {
    const player = await registerAndLogin(server.url);
    const hub = await openHub(server.url, player.token);
    // More connections than the process has file descriptors.
    for (let i = 0; i < 600; i++) flood.push(await connect(server.url));
    assert.equal((await hub.invoke("Increment")).error, undefined);
    const health = await fetch(server.url + "healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    closeAll(flood);
    flood.length = 0;
    // A new player after the flood registers, logs in and plays.
    const late = await registerAndLogin(server.url);
    const lateHub = await openHub(server.url, late.token);
    assert.equal((await lateHub.invoke("Increment")).error, undefined);
    await lateHub.close();
    await hub.close();
    assert.equal(await server.stop(), 0, server.output());
  } finally {
    closeAll(flood);
    await server.stop();
  }
});

/** Connections kept open by an attacker, each sending a head, then one byte at a time. */
interface Siege {
  /** Connections open now, the server's backlog included. */
  readonly open: number;
  /** Resolves once every connection was opened at least once. */
  readonly ready: Promise<void>;
  /** Stops trickling and closes every connection. */
  stop(): Promise<void>;
}

/**
 * Keeps `count` connections to `url` open: each sends `head`, then a byte of
 * `trickle` every `everyMs`; one the server closes is opened again after
 * `everyMs`, as a patient attacker would.
 */
function siege(
  url: string,
  count: number,
  options: { head: string; trickle: string; everyMs: number },
): Siege {
  const stopping = new AbortController();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  const head = new TextEncoder().encode(options.head);
  const trickle = new TextEncoder().encode(options.trickle);
  let open = 0;
  let opened = 0;
  const ready = Promise.withResolvers<void>();
  const worker = async () => {
    while (!stopping.signal.aborted) {
      let conn: Deno.TcpConn;
      try {
        conn = await connect(url);
      } catch {
        await pause(options.everyMs);
        continue;
      }
      open++;
      if (++opened === count) ready.resolve();
      let closed = false;
      const close = () => {
        closed = true;
        closeAll([conn]);
      };
      stopping.signal.addEventListener("abort", close, { once: true });
      const gone = ended(conn).then(() => closed = true);
      try {
        await writeAll(conn, head);
        for (let i = 0; !closed; i++) {
          await conn.write(trickle.subarray(i % trickle.length, i % trickle.length + 1));
          await Promise.race([gone, pause(options.everyMs)]);
        }
      } catch { /* the server closed it */ }
      stopping.signal.removeEventListener("abort", close);
      close();
      await gone;
      open--;
      await pause(options.everyMs);
    }
  };
  const workers = Array.from({ length: count }, worker);
  return {
    get open() {
      return open;
    },
    ready: ready.promise,
    async stop() {
      stopping.abort();
      await Promise.all(workers);
    },
  };
}

/** Asks for `/healthz` on a connection of its own; its status, or the error that ended it. */
async function health(url: string): Promise<number | string> {
  try {
    return (await rawGet(url, "/healthz")).status;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Runs `attack` against a server under a file limit of 1,024 with a player
 * connected, and checks that `/healthz` answers five times out of five and
 * the player plays while it lasts.
 */
async function underSiege(attack: { head: string; trickle: string }): Promise<void> {
  const server = await spawnServer({ fileLimit: 1024 });
  let attackers: Siege | undefined;
  try {
    const player = await registerAndLogin(server.url);
    const hub = await openHub(server.url, player.token);
    attackers = siege(server.url, 1100, { ...attack, everyMs: 500 });
    // Every attacker in: more than the server can hold (the cap is 768 under this limit).
    await attackers.ready;
    const answers: (number | string)[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push(await health(server.url));
      assert.ok(attackers.open > 550, `the attack let go: ${attackers.open} open`);
    }
    assert.deepEqual(answers, [200, 200, 200, 200, 200]);
    assert.equal((await hub.invoke("Increment")).error, undefined);
    await attackers.stop();
    await hub.close();
    assert.equal(await server.stop(), 0, server.output());
  } finally {
    await attackers?.stop();
    await server.stop();
  }
}

Deno.test("serve(): under a file limit of 1,024, 1,100 connections trickling their heads leave /healthz answering", async () => {
  await underSiege({ head: "GET /healthz HTTP/1.1\r\nHost: x\r\n", trickle: "X-Pad: a\r\n" });
});

Deno.test("serve(): under a file limit of 1,024, 1,100 connections trickling their bodies leave /healthz answering", async () => {
  await underSiege({
    head: "POST /api/account/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      "Content-Length: 10000\r\n\r\n[",
    trickle: " ",
  });
});

/** A connection whose every byte is read as it comes, so its end is seen whenever it comes. */
interface Watched {
  readonly name: string;
  /** Resolves once what the server sent holds `text`; rejects if the connection ends first. */
  until(text: string): Promise<string>;
}

/** Reads `conn` to its end, calling `onEnd` then. */
function watch(name: string, conn: Deno.Conn, onEnd: (name: string) => void): Watched {
  const decoder = new TextDecoder();
  let read = "";
  let done = false;
  const waiters = new Set<() => void>();
  (async () => {
    const buffer = new Uint8Array(4096);
    try {
      for (let n; (n = await conn.read(buffer)) !== null;) {
        read += decoder.decode(buffer.subarray(0, n), { stream: true });
        for (const wake of waiters) wake();
      }
    } catch { /* reset: ended too */ }
    done = true;
    onEnd(name);
    for (const wake of waiters) wake();
  })();
  return {
    name,
    until(text) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!read.includes(text) && !done) return;
          waiters.delete(check);
          if (read.includes(text)) resolve(read);
          else reject(new Error(`${name} ended before "${text}": ${read}`));
        };
        waiters.add(check);
        check();
      });
    },
  };
}

Deno.test("serve(): over the cap a body still arriving is shed, never a request arrived whole, a stream or a WebSocket", async () => {
  const gate = Promise.withResolvers<void>();
  const reached = new Map<string, PromiseWithResolvers<void>>(
    ["/read", "/unread", "/poll", "/stream", "/socket"].map((
      path,
    ) => [path, Promise.withResolvers()]),
  );
  const encoder = new TextEncoder();
  let taken: import("node:stream").Duplex | undefined;
  const served = await serve({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: 16,
    // Long enough that no sweep closes anything during the test: only shedding does.
    headersTimeoutMs: 60_000,
    requestTimeoutMs: 60_000,
    log: quietLog,
    fetch: async (request, env) => {
      const path = new URL(request.url).pathname;
      if (path === "/socket" && env.upgrade) {
        env.upgrade.take();
        taken = env.upgrade.socket;
        reached.get(path)!.resolve();
        return new Response(null);
      }
      if (path === "/stream") {
        reached.get(path)!.resolve();
        return new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(encoder.encode("first"));
              await gate.promise;
              controller.enqueue(encoder.encode("second"));
              controller.close();
            },
          }),
        );
      }
      // A body read whole before a long answer, a body never read, a long poll.
      if (path === "/read") await request.text();
      reached.get(path)?.resolve();
      await gate.promise;
      return new Response(`answered ${path}`);
    },
  });
  const url = `http://127.0.0.1:${served.port}/`;
  const conns: Deno.Conn[] = [];
  // The connections the server ended, by name, in order; settled once 29 did.
  const gone: string[] = [];
  const shedding = Promise.withResolvers<void>();
  const open = async (name: string, request: string) => {
    const conn = await connect(url);
    conns.push(conn);
    const watched = watch(name, conn, () => {
      if (gone.push(name) === 29 || !name.startsWith("slow")) shedding.resolve();
    });
    await writeAll(conn, encoder.encode(request));
    return watched;
  };
  try {
    const body = "x".repeat(100);
    const withBody = (method: string, path: string) =>
      `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const read = await open("read", withBody("POST", "/read"));
    // Whole, but never read: a GET's body is not even handed to the handler.
    const unread = await open("unread", withBody("GET", "/unread"));
    const poll = await open("poll", "GET /poll HTTP/1.1\r\nHost: x\r\n\r\n");
    const stream = await open("stream", "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    const socket = await open(
      "socket",
      "GET /socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    );
    await Promise.all([...reached.values()].map((r) => r.promise));
    await stream.until("first");

    // 40 bodies that never finish arriving, over a cap of 16 with 5 places taken.
    for (let i = 0; i < 40; i++) {
      await open(`slow ${i}`, `POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[`);
    }
    // The oldest slow bodies went, to make room for the later ones; nothing else did.
    await shedding.promise;
    assert.deepEqual(gone, Array.from({ length: 29 }, (_, i) => `slow ${i}`));
    assert.equal(served.shed, 29);
    assert.equal(served.connections, 16);

    gate.resolve();
    assert.match(await read.until("answered /read"), /^HTTP\/1\.1 200/);
    assert.match(await unread.until("answered /unread"), /^HTTP\/1\.1 200/);
    assert.match(await poll.until("answered /poll"), /^HTTP\/1\.1 200/);
    await stream.until("second");
    taken!.write("still here");
    await socket.until("still here");
  } finally {
    gate.resolve();
    closeAll(conns);
    taken?.destroy();
    await served.close(0);
  }
});

Deno.test("serve(): past MAX_CONNECTIONS the oldest unfinished bodies are shed; players on every transport keep playing", async () => {
  const server = await startTestServer({ env: { MAX_CONNECTIONS: "40" } });
  const slow: Deno.Conn[] = [];
  try {
    const transports = [
      HttpTransportType.WebSockets,
      HttpTransportType.ServerSentEvents,
      HttpTransportType.LongPolling,
    ];
    const players = await Promise.all(transports.map(async (transport) => {
      const { token } = await registerAndLogin(server.url);
      const client = await connectClient(server.url, token, { transport });
      let closed: Error | undefined;
      client.connection.onclose((error) => closed = error ?? new Error("closed"));
      return { name: HttpTransportType[transport], client, closed: () => closed };
    }));
    const head = new TextEncoder().encode(
      "POST /api/account/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Content-Length: 1000\r\n\r\n[",
    );
    const gone: number[] = [];
    const sixty = Promise.withResolvers<void>();
    for (let i = 0; i < 100; i++) {
      const conn = await connect(server.url);
      slow.push(conn);
      watch(`slow ${i}`, conn, () => gone.push(i) === 60 && sixty.resolve());
      await writeAll(conn, head);
    }
    // The first bodies went, to make room for the later ones.
    await sixty.promise;
    assert.ok(gone.every((i) => i < 70), `shed: ${gone}`);
    assert.ok(server.server.http.connections <= 40, `${server.server.http.connections} open`);
    assert.ok(server.server.http.shed >= 60, `${server.server.http.shed} shed`);
    for (const { name, client, closed } of players) {
      assert.equal((await client.connection.invoke("Increment")).score, 1, name);
      assert.equal(closed(), undefined, name);
    }
    await Promise.all(players.map(({ client }) => client.stop()));
  } finally {
    closeAll(slow);
    await server.stop();
  }
});

Deno.test("serve(): over the cap with every request finished, the oldest idle connection makes room", async () => {
  const served = await serve({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: 16,
    log: quietLog,
    fetch: () => new Response("ok"),
  });
  const url = `http://127.0.0.1:${served.port}/`;
  const conns: Deno.Conn[] = [];
  const firstGone = Promise.withResolvers<string>();
  const ask = async () => {
    const conn = await connect(url);
    conns.push(conn);
    const watched = watch(`${conns.length}`, conn, firstGone.resolve);
    await writeAll(conn, new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await watched.until("ok");
    return watched;
  };
  try {
    for (let i = 0; i < 16; i++) await ask();
    // Sixteen idle connections, kept alive; a new one is answered, in the first one's place.
    await ask();
    assert.equal(await firstGone.promise, "1");
    assert.equal(served.shed, 1);
    assert.equal(served.connections, 16);
  } finally {
    closeAll(conns);
    await served.close(0);
  }
});

Deno.test("serve(): a WebSocket message too large, or fragments that never end, close with 1009", async () => {
  const server = await startTestServer();
  try {
    const { token } = await registerAndLogin(server.url);
    const huge = await openRawSocket(server.url, token);
    await huge.sendText(HANDSHAKE);
    await huge.sendFrame(1, new Uint8Array(70_000).fill(0x20)).catch(() => {});
    assert.equal(await huge.closeCode(), 1009);
    huge.close();

    const endless = await openRawSocket(server.url, token);
    await endless.sendText(HANDSHAKE);
    let sent = 0;
    const fragment = new Uint8Array(8000).fill(0x20);
    try {
      await endless.sendFrame(1, fragment, false);
      // Continuations without end; the server cuts the message off by 64 KiB.
      for (sent = 1; sent < 1000; sent++) await endless.sendFrame(0, fragment, false);
    } catch { /* the server closed the connection */ }
    assert.equal(await endless.closeCode(), 1009);
    assert.ok(sent < 1000, "the server read 8 MB of one message");
    endless.close();

    // Players are untouched.
    const player = await registerAndLogin(server.url);
    const hub = await openHub(server.url, player.token);
    assert.equal((await hub.invoke("Increment")).error, undefined);
    await hub.close();
  } finally {
    await server.stop();
  }
});
