/**
 * Every server restarted at once (SIGTERM, then new processes on the same
 * Redis and PostgreSQL): the round in progress goes on with its scores, the
 * round ids go on where they were, and nothing is recorded or announced twice.
 */

import assert from "node:assert/strict";
import { registerAndLogin } from "../support/accounts.ts";
import { dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import {
  assertRecordsWhole,
  type ClusterClient,
  connect,
  consecutive,
  recordedWins,
  startServers,
} from "./cluster_support.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 5;

Deno.test({
  name: "every server restarted mid-round: the round goes on with its scores, ids go on, once",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("full_restart");
  // Rounds long enough for two servers to stop and start within one.
  const options = { redisUrl, databaseUrl, roundSeconds: 8 };
  let servers = await startServers(2, options);
  let clients: ClusterClient[] = [];
  try {
    const player = await registerAndLogin(servers[0].url);
    clients = [await connect("before", servers[0].url, player.token)];
    const before = await clients[0].nextEndRound(20_000);
    await clients[0].connection.invoke("Increment");
    await clients[0].connection.invoke("Increment");

    await clients[0].stop();
    const codes = await Promise.all(servers.map((server) => server.stop()));
    assert.deepEqual(codes, [0, 0], "both servers stopped cleanly");
    servers = await startServers(2, options);
    clients = await Promise.all(
      servers.map((server, i) => connect(`after${i}`, server.url, player.token)),
    );

    // Still the same round, with its two clicks, on both servers.
    for (const client of clients) {
      assert.equal(client.info.roundId, before.roundId + 1, `${client.name}'s round`);
      assert.equal(client.info.score, 2, `${client.name}'s score`);
      assert.equal(client.info.lastRound?.roundId, before.roundId);
    }
    const ended = await Promise.all(clients.map((client) => client.nextEndRound(20_000)));
    for (const round of ended) {
      assert.deepEqual(
        { roundId: round.roundId, winners: round.winners, nbClicks: round.nbClicks },
        { roundId: before.roundId + 1, winners: [player.username], nbClicks: 2 },
      );
    }
    await clients[0].nextEndRound(20_000);
    for (const client of clients) assert.equal(consecutive(client), undefined);

    const recorded = await assertRecordsWhole(databaseUrl, clients);
    assert.ok(recorded.includes(before.roundId + 2), `${recorded}`);
    assert.equal(await recordedWins(databaseUrl, player.username), 1, "the win counted once");
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await dropPostgres(databaseUrl);
  }
});
