/**
 * One player's connections on two servers stay in step: a click on one
 * server reaches the player's connection on the other as `Standing`, and a
 * purchase there comes back; the other server hears within a fraction of a
 * second once the presence heartbeat has seen the player on both.
 */

import assert from "node:assert/strict";
import { registerAndLogin } from "../support/accounts.ts";
import { dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import { type ClusterClient, connect, startServers, waitFor } from "./cluster_support.ts";
import { ClientMethod, type ScoreUpdate, type Standing } from "../../src/hub/wire.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 6;

/** Every `Standing` a client gets, with when. */
function standingsOf(client: ClusterClient): (Standing & { at: number })[] {
  const heard: (Standing & { at: number })[] = [];
  client.connection.on(ClientMethod.Standing, (standing: Standing) => {
    heard.push({ ...standing, at: Date.now() });
  });
  return heard;
}

Deno.test({
  name: "a player's connections on two servers hear each other's clicks and purchases",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("standing_relay");
  const servers = await startServers(2, { redisUrl, databaseUrl, roundSeconds: 30 });
  const clients: ClusterClient[] = [];
  try {
    const player = await registerAndLogin(servers[0].url);
    const [a, b] = [
      await connect("a", servers[0].url, player.token),
      await connect("b", servers[1].url, player.token),
    ];
    clients.push(a, b);
    const [heardByA, heardByB] = [standingsOf(a), standingsOf(b)];

    // Until a server's heartbeat (every 500 ms) has seen the player on the
    // other server too, a click on it stays there: wait for both.
    let reply: ScoreUpdate | undefined;
    for (const [from, to, heardByTo] of [[a, b, heardByB], [b, a, heardByA]] as const) {
      await waitFor(
        `${to.name} to hear a click made on ${from.name}'s server`,
        async () => {
          reply = await from.connection.invoke("Increment") as ScoreUpdate;
          await new Promise((resolve) => setTimeout(resolve, 100));
          return heardByTo.some((s) => s.score === reply!.score) || undefined;
        },
        5_000,
        0,
      );
    }

    // From then on: how soon, and what.
    const clicked = Date.now();
    reply = await a.connection.invoke("Increment") as ScoreUpdate;
    const heard = await waitFor(
      "b to hear the next click",
      () => heardByB.find((s) => s.score === reply!.score),
      3_000,
      2,
    );
    console.log(`b heard a's click ${heard.at - clicked} ms after it was made`);
    assert.ok(heard.at - clicked < 500, `heard after ${heard.at - clicked} ms`);
    assert.deepEqual(
      { multiplier: heard.multiplier, multiplierCost: heard.multiplierCost },
      { multiplier: 1, multiplierCost: 10 },
    );

    // A purchase on b's server comes back to a.
    while (reply.score < 10) reply = await a.connection.invoke("Increment") as ScoreUpdate;
    const bought = await b.connection.invoke("BuyMultiplier") as ScoreUpdate;
    assert.equal(bought.multiplier, 2);
    const back = await waitFor(
      "a to hear b's purchase",
      () => heardByA.find((s) => s.multiplier === 2),
      3_000,
      2,
    );
    assert.deepEqual(
      { score: back.score, multiplierCost: back.multiplierCost },
      { score: bought.score, multiplierCost: bought.multiplierCost },
    );
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await dropPostgres(databaseUrl);
  }
});
