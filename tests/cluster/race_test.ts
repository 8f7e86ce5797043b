/**
 * One race across two servers: players clicking on either server appear in
 * the `Race` of watchers on both, each with their own place; a click on one
 * server shows on the other within a quarter of a second (measured and
 * printed); the round's `EndRound` carries the final standings on both, and
 * the scores are in PostgreSQL's history.
 */

import assert from "node:assert/strict";
import { registerAndLogin } from "../support/accounts.ts";
import { dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import { type ClusterClient, connect, startServers, waitFor } from "./cluster_support.ts";
import {
  ClientMethod,
  HubMethod,
  type PlayerHistory,
  type Race,
  type ScoreUpdate,
} from "../../src/hub/wire.ts";
import { RACE_INTERVAL_MS } from "../../src/hub/race_watch.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 14;

/** Every `Race` a client gets, with when. */
function racesOf(client: ClusterClient): (Race & { at: number })[] {
  const heard: (Race & { at: number })[] = [];
  client.connection.on(ClientMethod.Race, (race: Race) => heard.push({ ...race, at: Date.now() }));
  return heard;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

Deno.test({
  name: "two servers play one race: Race within 250 ms on the other server, standings at the end",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("race");
  const servers = await startServers(2, { redisUrl, databaseUrl, roundSeconds: 6 });
  const clients: ClusterClient[] = [];
  try {
    const ann = await registerAndLogin(servers[0].url);
    const bob = await registerAndLogin(servers[1].url);
    const a = await connect("a", servers[0].url, ann.token);
    const b = await connect("b", servers[1].url, bob.token);
    clients.push(a, b);
    const [racesA, racesB] = [racesOf(a), racesOf(b)];
    assert.equal(await a.connection.invoke(HubMethod.WatchRace), null);
    assert.equal(await b.connection.invoke(HubMethod.WatchRace), null);
    await waitFor("the first Race on both", () => racesA.length > 0 && racesB.length > 0);

    // Start on a fresh round, so the measurements are not cut by its end.
    await b.nextEndRound();
    const click = (client: ClusterClient) =>
      client.connection.invoke(HubMethod.Increment) as Promise<ScoreUpdate>;

    // How stale the race on b's server is: from a counted click on a's
    // server to the Race on b's that shows it.
    const delays: number[] = [];
    // Eight samples of about 300 ms fit well within the 6 s round.
    for (let i = 0; i < 8; i++) {
      // Each click waits out b's last Race's interval, so the time measured
      // is the race's staleness, not the 4-a-second cap.
      const last = racesB.at(-1)!.at;
      await waitFor(
        "b's Race interval to pass",
        () => Date.now() - last > RACE_INTERVAL_MS,
        2_000,
        10,
      );
      const clicked = Date.now();
      const reply = await click(a);
      assert.ok(reply.counted);
      const shown = await waitFor(
        "b's Race to show a's click",
        () =>
          racesB.find((r) =>
            r.at >= clicked &&
            r.top.some((e) => e.username === ann.username && e.score === reply.score)
          ),
        3_000,
        2,
      );
      delays.push(shown.at - clicked);
    }
    const sorted = [...delays].sort((x, y) => x - y);
    console.log(
      `click on server A to Race on server B: median ${percentile(sorted, 0.5)} ms, ` +
        `p90 ${percentile(sorted, 0.9)} ms, max ${sorted.at(-1)} ms (${delays.join(", ")})`,
    );
    assert.ok(percentile(sorted, 0.5) <= 250, `median ${percentile(sorted, 0.5)} ms`);

    // A fresh round again: Bob passes Ann on the other server; both see one race, each their
    // own place.
    const sameRound = (await b.nextEndRound()).roundId + 1;
    let annScore = 0;
    for (let i = 0; i < 3; i++) annScore = (await click(a)).score;
    let bobScore = 0;
    while (bobScore <= annScore) bobScore = (await click(b)).score;
    const seenByA = await waitFor(
      "a to see bob ahead",
      () =>
        racesA.findLast((r) => r.top[0]?.username === bob.username && r.top[0].score === bobScore),
    );
    assert.deepEqual(seenByA.you, { score: annScore, rank: 2 });
    assert.equal(seenByA.players, 2);
    assert.equal(seenByA.roundId, sameRound);
    const seenByB = await waitFor(
      "b to see itself ahead",
      () => racesB.findLast((r) => r.you.rank === 1 && r.you.score === bobScore),
    );
    assert.deepEqual(seenByB.top, [
      { username: bob.username, score: bobScore },
      { username: ann.username, score: annScore },
    ]);

    // The round ends: both servers' EndRound carry its standings.
    const [endA, endB] = await Promise.all([a.nextEndRound(), b.nextEndRound()]);
    assert.equal(endA.roundId, sameRound);
    const expected = [
      { username: bob.username, score: bobScore },
      { username: ann.username, score: annScore },
    ];
    assert.deepEqual(endA.standings, expected);
    assert.deepEqual(endB.standings, expected);
    assert.deepEqual(endB.winners, [bob.username]);

    // And PostgreSQL holds each one's score and place.
    const response = await fetch(
      new URL(`api/players/${ann.username.toUpperCase()}`, servers[1].url),
    );
    const history = await response.json() as PlayerHistory;
    assert.equal(response.status, 200);
    assert.deepEqual(history.lastRounds[0], {
      roundId: sameRound,
      endedAt: history.lastRounds[0].endedAt,
      score: annScore,
      rank: 2,
      won: false,
    });
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await dropPostgres(databaseUrl);
  }
});
