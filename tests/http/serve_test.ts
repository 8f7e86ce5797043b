/**
 * The listener against hostile connections, on the real server: connections
 * that never send a request, trickle one, or open by the hundreds past the
 * cap or the process's file limit; WebSocket messages that never end.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startTestServer } from "../support/test_server.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { openHub } from "../abuse/hub_socket.ts";
import { openRawSocket } from "../abuse/raw_socket.ts";

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
