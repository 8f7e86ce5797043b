/**
 * Redis losing its data mid-round, on a Redis of this test's own that keeps
 * nothing on disk: stopped with `SHUTDOWN NOSAVE` and started again empty on
 * its port while three servers play. Every click answered `counted: true`
 * before the loss is in the round's end (the servers write back what they
 * hold, a player on two servers included), the loss is logged naming the
 * round and shown on `/healthz`, and no round id is used twice.
 */

import assert from "node:assert/strict";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import type { SpawnedServer } from "../support/spawn_server.ts";
import { adminQuery } from "./services.ts";
import {
  assertRecordsWhole,
  type ClusterClient,
  connect,
  health,
  waitFor,
} from "./cluster_support.ts";
import { withOwnRedisCluster } from "./own_redis_cluster.ts";

interface ScoreUpdate {
  readonly score: number;
  readonly multiplier: number;
  readonly counted: boolean;
}

/** One player's tabs, and what their completions said. */
interface Clicker {
  readonly player: TestPlayer;
  readonly tabs: ClusterClient[];
  /** Clicks answered `counted: true`. */
  counted: number;
  /** The standing the last completion gave. */
  last: ScoreUpdate | undefined;
}

/** Clicks `times`, one at a time, going round the player's tabs. */
async function click(clicker: Clicker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const tab = clicker.tabs[i % clicker.tabs.length];
    const reply = await tab.connection.invoke("Increment") as ScoreUpdate;
    if (reply.counted) clicker.counted++;
    clicker.last = reply;
  }
}

Deno.test({
  name: "Redis lost its data mid-round: every counted click is in the round's end, no id twice",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withOwnRedisCluster(
    { servers: 3, databasePrefix: "redis_lost", roundSeconds: 4 },
    async ({ redis, databaseUrl, servers, clients }) => {
      const tab = async (name: string, server: SpawnedServer, player: TestPlayer) => {
        const client = await connect(name, server.url, player.token);
        clients.push(client);
        return client;
      };
      const players = await Promise.all(servers.map((s) => registerAndLogin(s.url)));
      // The top player has a tab on two servers: both hold their standing, one of them newer.
      const top: Clicker = {
        player: players[0],
        tabs: [
          await tab("top@0", servers[0], players[0]),
          await tab("top@1", servers[1], players[0]),
        ],
        counted: 0,
        last: undefined,
      };
      const second: Clicker = {
        player: players[1],
        tabs: [await tab("second@1", servers[1], players[1])],
        counted: 0,
        last: undefined,
      };
      const buyer: Clicker = {
        player: players[2],
        tabs: [await tab("buyer@2", servers[2], players[2])],
        counted: 0,
        last: undefined,
      };
      const clickers = [top, second, buyer];

      // From the start of a round, so the loss comes mid-round.
      const before = await top.tabs[0].nextEndRound();
      const round = before.roundId + 1;
      await Promise.all([
        click(top, 30),
        click(second, 8),
        (async () => {
          await click(buyer, 12);
          const bought = await buyer.tabs[0].connection.invoke("BuyMultiplier") as ScoreUpdate;
          assert.equal(bought.multiplier, 2);
          buyer.last = bought;
          await click(buyer, 3);
        })(),
      ]);
      const lostAt = Date.now();
      assert.ok(lostAt < before.nextRoundEndsAt, "the clicks fit in the round");
      for (const c of clickers) assert.ok(c.counted > 0, `${c.player.username} scored`);
      assert.equal(top.last!.score, top.counted);
      assert.ok(top.counted > Math.max(second.last!.score, buyer.last!.score), "one top player");

      await redis.shutdownNoSave();
      // Clicks while Redis is down are refused, so never answered counted.
      await assert.rejects(second.tabs[0].connection.invoke("Increment"), /unavailable/);
      await redis.start();

      const heard = await Promise.all(clients.map((c) => {
        const already = c.ended.find((e) => e.roundId === round);
        return already ??
          waitFor(
            `${c.name} to hear round ${round} end`,
            () => c.ended.find((e) => e.roundId === round),
            20_000,
          );
      }));
      for (const endRound of heard) {
        assert.equal(endRound.nbClicks, top.counted, "the top score, every counted click in it");
        assert.deepEqual(endRound.winners, [top.player.username]);
      }
      const [recorded] = await adminQuery<{ nb_clicks: number; players: number }>(
        databaseUrl,
        "select nb_clicks::int, players::int from rounds where id = $1",
        [round],
      );
      assert.deepEqual(recorded, { nb_clicks: top.counted, players: 3 });

      // Each server saw the loss, named the round, and wrote back its part.
      for (const server of servers) {
        const h = await waitFor("/healthz to be ok again", async () => {
          const answer = await health(server);
          return answer?.status === 200 ? answer : undefined;
        });
        const lost = (h.body as { redisLost?: { roundId: number; repaired: boolean; at: number } })
          .redisLost;
        assert.equal(lost?.roundId, round, server.output());
        assert.equal(lost?.repaired, true);
        assert.ok(lost!.at >= lostAt, "seen after the loss");
        assert.match(server.output(), new RegExp(`REDIS LOST ITS DATA: round ${round} `));
      }

      // The game goes on in the next round, under a new id.
      const next = await top.tabs[1].connection.invoke("Increment") as ScoreUpdate;
      assert.deepEqual([next.score, next.counted], [1, true]);
      const after = await waitFor(
        "the round after to end",
        () => top.tabs[0].ended.find((e) => e.roundId > round && e.nbClicks > 0),
        20_000,
      );
      assert.equal(after.nbClicks, 1);

      for (const client of clients) {
        const ids = client.ended.map((e) => e.roundId);
        assert.deepEqual(ids, [...new Set(ids)].sort((x, y) => x - y), `${client.name}: ${ids}`);
      }
      const ids = await assertRecordsWhole(databaseUrl, clients);
      assert.equal(new Set(ids).size, ids.length, "no round id recorded twice");
    },
  ));
