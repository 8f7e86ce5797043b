/**
 * PostgreSQL going away mid-game, seen through a TCP proxy of this test's
 * own that it cuts and restores (the shared PostgreSQL keeps serving the
 * other tests): play goes on in Redis, the rounds that end meanwhile are
 * held (`/healthz` 503 naming PostgreSQL, the API 503), and once it is back
 * they are recorded once and announced in order, the one played during the
 * outage with its true winner.
 */

import assert from "node:assert/strict";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import {
  assertRecordsWhole,
  type ClusterClient,
  connect,
  consecutive,
  health,
  recordedWins,
  startServers,
  waitFor,
} from "./cluster_support.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 4;

/** A TCP proxy to one port that can be cut (connections closed, new ones refused) and restored. */
class CuttableProxy {
  readonly #target: number;
  readonly #open = new Set<Deno.Conn>();
  #listener: Deno.Listener | undefined;
  port = 0;

  constructor(target: number) {
    this.#target = target;
  }

  /** Listens (again) on the proxy's port, a free one the first time. */
  listen(): void {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accept(this.#listener);
  }

  /** Closes every connection and stops listening: connects are refused until `listen()`. */
  cut(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const conn of this.#open) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    this.#open.clear();
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const client of listener) this.#pipe(client);
    } catch { /* the listener was closed */ }
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    this.#open.add(client);
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.#target });
    } catch {
      this.#open.delete(client);
      client.close();
      return;
    }
    this.#open.add(server);
    await Promise.allSettled([
      client.readable.pipeTo(server.writable),
      server.readable.pipeTo(client.writable),
    ]);
    for (const conn of [client, server]) {
      this.#open.delete(conn);
      try {
        conn.close();
      } catch { /* closed already */ }
    }
  }
}

Deno.test({
  name: "PostgreSQL down mid-game: play goes on, results wait, then come out in order, once",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const direct = await freshPostgres("postgres_down");
  const proxy = new CuttableProxy(Number(new URL(direct).port));
  proxy.listen();
  const viaProxy = new URL(direct);
  viaProxy.port = String(proxy.port);
  const servers = await startServers(2, {
    redisUrl,
    databaseUrl: viaProxy.href,
    roundSeconds: 2,
  });
  const clients: ClusterClient[] = [];
  try {
    const players: TestPlayer[] = [];
    for (const [i, server] of servers.entries()) {
      const player = await registerAndLogin(server.url);
      players.push(player);
      clients.push(await connect(`p${i}`, server.url, player.token));
    }
    await clients[0].nextEndRound();

    // A round has just begun (its predecessor is recorded: it was announced).
    // PostgreSQL goes; p0 clicks three times and p1 once, in Redis.
    proxy.cut();
    for (const [client, clicks] of [[clients[0], 3], [clients[1], 1]] as const) {
      for (let i = 0; i < clicks; i++) {
        const reply = await client.connection.invoke("Increment");
        assert.equal(reply.counted, true, "a click counts while PostgreSQL is down");
      }
    }

    // The round ends and can't be recorded: held, and said so.
    const down = await waitFor("the leader to hold an unrecorded round", async () => {
      for (const server of servers) {
        const h = await health(server);
        const loop = h?.body.roundLoop as { unrecorded?: number } | undefined;
        if (h?.status === 503 && (loop?.unrecorded ?? 0) > 0) return h;
      }
      return undefined;
    }, 10_000);
    assert.notEqual(down.body.postgres, "ok");
    assert.equal(down.body.redis, "ok");
    const api = await fetch(new URL("api/leaderboard", servers[1].url));
    await api.body?.cancel();
    assert.equal(api.status, 503);
    const held = clients.map((client) => client.ended.length);
    // Another round ends meanwhile; neither is announced before it is recorded.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.deepEqual(clients.map((client) => client.ended.length), held, "nothing announced");
    // A balancer asking /readyz keeps every server: play goes on, degraded.
    for (const server of servers) {
      const ready = await fetch(new URL("readyz", server.url));
      const body = await ready.json();
      assert.equal(ready.status, 200, JSON.stringify(body));
      assert.equal(body.status, "degraded");
    }
    // Retried twice a second, the failure is logged once per outage (once per leader).
    const told = servers.map((s) => s.output().match(/Cannot record round/g)?.length ?? 0);
    const total = told.reduce((a, b) => a + b, 0);
    assert.ok(total >= 1 && total <= servers.length, `logged ${told} times`);

    proxy.listen();
    await waitFor("both servers healthy", async () => {
      const all = await Promise.all(servers.map((s) => health(s)));
      return all.every((h) => h?.status === 200) || undefined;
    }, 15_000);
    for (const client of clients) {
      await waitFor(`${client.name} to hear the held rounds`, () => {
        return client.ended.length >= held[0] + 2 || undefined;
      }, 10_000);
    }
    await clients[0].nextEndRound();
    assert.match(servers.map((s) => s.output()).join(""), /PostgreSQL back: .*failures=\d+/);

    for (const client of clients) assert.equal(consecutive(client), undefined);
    const outage = clients[1].ended.filter((e) => e.nbClicks > 0).slice(-1)[0];
    assert.deepEqual(
      { winners: outage?.winners, nbClicks: outage?.nbClicks },
      { winners: [players[0].username], nbClicks: 3 },
      "the round played while PostgreSQL was down, with its true winner",
    );
    await assertRecordsWhole(direct, clients);
    assert.equal(await recordedWins(direct, players[0].username), 1);
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    proxy.cut();
    await dropPostgres(direct);
  }
});
