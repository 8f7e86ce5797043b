/**
 * Redis going away mid-game, on a Redis of this test's own: clicks answer an
 * error at once, `/healthz` answers 503 naming Redis, and once Redis is back
 * (empty: it keeps nothing on disk here) the game resumes from what
 * PostgreSQL holds, with nothing announced or recorded twice.
 */

import assert from "node:assert/strict";
import { registerAndLogin } from "../support/accounts.ts";
import { assertRecordsWhole, connect, health, waitFor } from "./cluster_support.ts";
import { withOwnRedisCluster } from "./own_redis_cluster.ts";

Deno.test({
  name: "Redis restarted mid-game: clicks fail fast, /healthz says 503, the game resumes",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withOwnRedisCluster(
    { servers: 2, databasePrefix: "redis_restart" },
    async ({ redis, databaseUrl, servers, clients }) => {
      const players = [];
      for (const [i, server] of servers.entries()) {
        const player = await registerAndLogin(server.url);
        players.push(player);
        clients.push(await connect(`p${i}`, server.url, player.token));
      }
      await clients[0].nextEndRound();
      await clients[0].connection.invoke("Increment");
      await clients[0].nextEndRound();

      await redis.stop();
      const started = Date.now();
      await assert.rejects(clients[0].connection.invoke("Increment"), /unavailable/);
      assert.ok(Date.now() - started < 1000, `answered after ${Date.now() - started} ms`);
      const down = await waitFor("/healthz to say 503", async () => {
        const h = await health(servers[1]);
        return h?.status === 503 ? h : undefined;
      }, 5000);
      assert.notEqual(down.body.redis, "ok");
      assert.equal(down.body.postgres, "ok");
      // A connection opening meanwhile (its standing can't be read ahead) opens at once.
      const opening = Date.now();
      const late = await connect("late", servers[1].url, players[0].token);
      clients.push(late);
      assert.ok(Date.now() - opening < 2000, `opened after ${Date.now() - opening} ms`);
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const heard = clients.map((client) => client.ended.length);
      await redis.start();
      for (const [i, client] of clients.entries()) {
        await waitFor(
          `${client.name} to get a round after Redis came back`,
          () => client.ended.length > heard[i],
          10_000,
        );
      }
      const reply = await clients[1].connection.invoke("Increment");
      assert.equal(reply.counted, true);
      await waitFor("both servers healthy", async () => {
        const all = await Promise.all(servers.map((s) => health(s)));
        return all.every((h) => h?.status === 200) || undefined;
      });
      await clients[1].nextEndRound();

      for (const client of clients) {
        const ids = client.ended.map((e) => e.roundId);
        assert.deepEqual(ids, [...new Set(ids)].sort((x, y) => x - y), `${client.name}: ${ids}`);
      }
      await assertRecordsWhole(databaseUrl, clients);
    },
  ));
