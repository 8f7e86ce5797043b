/**
 * Three servers, one game: the official client spread over them, one player
 * with tabs on two servers. Every client gets the same `EndRound` each
 * round, PostgreSQL holds what the clients' completions add up to, the click
 * cap and the players-online count hold across servers.
 */

import assert from "node:assert/strict";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import type { SpawnedServer } from "../support/spawn_server.ts";
import { adminQuery, dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import { roundRobinProxy } from "./round_robin_proxy.ts";
import {
  type ClusterClient,
  connect,
  consecutive,
  leaders,
  type Received,
  startServers,
  waitFor,
} from "./cluster_support.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 1;
const CAP = 10;

interface Score {
  readonly counted: boolean;
  readonly score: number;
}

/** Sends `n` clicks at once from `client`; resolves with the completions. */
async function burst(client: ClusterClient, n: number): Promise<Score[]> {
  return await Promise.all(
    Array.from({ length: n }, () => client.connection.invoke<Score>("Increment")),
  );
}

Deno.test({
  name: "three servers play one game: one round clock, one leaderboard, one standing per player",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("cluster_game");
  const servers: SpawnedServer[] = await startServers(3, {
    redisUrl,
    databaseUrl,
    env: { MAX_CLICKS_PER_SECOND: String(CAP) },
  });
  const clients: ClusterClient[] = [];
  try {
    assert.equal(
      (await waitFor("a leader", async () => {
        const found = await leaders(servers);
        return found.length === 1 ? found : undefined;
      })).length,
      1,
    );

    // Registered on one server, logged in on another: one database, one token secret.
    const [a, b, c, d] = await Promise.all(
      [0, 1, 2, 0].map((i) => registerAndLogin(servers[i].url)),
    ) as TestPlayer[];
    const on = (name: string, player: TestPlayer, i: number) =>
      connect(name, servers[i].url, player.token);
    clients.push(
      await on("a@0", a, 0),
      await on("b@1", b, 1),
      await on("c@2", c, 2),
      await on("d@0", d, 0),
      await on("d@1", d, 1),
    );
    const [ca, cb, cc, d0, d1] = clients;

    await waitFor("PlayerCount 4 on every client", () => clients.every((x) => x.online() === 4));

    // Two tabs of one player on two servers share one standing.
    await ca.nextEndRound();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 3; i++) await d0.connection.invoke("Increment");
    assert.deepEqual(await d1.connection.invoke("Increment"), {
      score: 4,
      multiplier: 1,
      multiplierCost: 10,
      counted: true,
    });

    // Rounds with clicks in their middle: what the clients were told adds up in PostgreSQL.
    const expected = new Map<number, { winners: string[]; nbClicks: number; players: number }>();
    for (let attempt = 0; expected.size < 3 && attempt < 8; attempt++) {
      const ended: Received = await ca.nextEndRound();
      const round = ended.roundId + 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [sa, sb, sc, sd0, sd1] = await Promise.all([
        burst(ca, 4 + (round % 3)),
        burst(cb, 7),
        burst(cc, 7),
        burst(d0, 15),
        burst(d1, 15),
      ]);
      // Too close to the deadline (a loaded machine): this round proves nothing.
      if (Date.now() > ended.nextRoundEndsAt - 100) continue;
      const counted = (scores: Score[]) => scores.filter((s) => s.counted).length;
      const dCounted = counted(sd0) + counted(sd1);
      // At most a full bucket (the last burst, about a second ago, may have left it short of full).
      assert.ok(dCounted > 0 && dCounted <= CAP + 2, `d counted ${dCounted} of 30 at once`);
      assert.ok(sd0.concat(sd1).some((s) => !s.counted), "the cap refused some of d's clicks");
      const totals = new Map([
        [a.username, counted(sa)],
        [b.username, counted(sb)],
        [c.username, counted(sc)],
        [d.username, dCounted],
      ]);
      const top = Math.max(...totals.values());
      expected.set(round, {
        winners: [...totals].filter(([, n]) => n === top).map(([name]) => name).sort(),
        nbClicks: top,
        players: [...totals.values()].filter((n) => n > 0).length,
      });
    }
    assert.equal(expected.size, 3, "three rounds played in time");
    const last = Math.max(...expected.keys());
    await waitFor(
      "every client to see the last round end",
      () => clients.every((x) => x.ended.some((e) => e.roundId === last)),
    );

    for (const [round, want] of expected) {
      const [row] = await adminQuery<{ nb_clicks: number; players: number }>(
        databaseUrl,
        "select nb_clicks::int, players from rounds where id = $1",
        [round],
      );
      assert.deepEqual(row, { nb_clicks: want.nbClicks, players: want.players }, `round ${round}`);
      const winners = await adminQuery<{ username: string }>(
        databaseUrl,
        `select p.username from round_winners w join players p on p.id = w.player_id
          where w.round_id = $1 order by p.username`,
        [round],
      );
      assert.deepEqual(winners.map((w) => w.username), want.winners, `round ${round} winners`);
      // Every client got this round's EndRound once, saying the same.
      for (const client of clients) {
        const got = client.ended.filter((e) => e.roundId === round);
        assert.equal(got.length, 1, `${client.name}: EndRound ${round} once`);
        assert.deepEqual([...got[0].winners].sort(), want.winners, `${client.name} ${round}`);
        assert.equal(got[0].nbClicks, want.nbClicks);
      }
    }
    // The same EndRounds everywhere, one after another, none missing.
    for (const client of clients) assert.equal(consecutive(client), undefined);
    const reference = JSON.stringify(ca.ended.filter((e) => e.roundId <= last).map(strip));
    for (const client of clients.slice(1)) {
      const first = client.ended[0].roundId;
      const mine = client.ended.filter((e) => e.roundId <= last).map(strip);
      const theirs = ca.ended.filter((e) => e.roundId >= first && e.roundId <= last).map(strip);
      assert.equal(JSON.stringify(mine), JSON.stringify(theirs), client.name);
    }
    assert.ok(reference.length > 2);
    // Wins add up: each recorded once.
    const wins = await adminQuery<{ username: string; nb_wins: number; won: number }>(
      databaseUrl,
      `select p.username, p.nb_wins, (select count(*)::int from round_winners w
         where w.player_id = p.id) as won from players p`,
    );
    for (const row of wins) assert.equal(row.nb_wins, row.won, row.username);
    const [span] = await adminQuery<{ n: number; lo: number; hi: number }>(
      databaseUrl,
      "select count(*)::int as n, min(id) as lo, max(id) as hi from rounds",
    );
    assert.equal(span.n, span.hi - span.lo + 1, "no round id missing");
  } finally {
    await Promise.all(clients.map((x) => x.stop()));
    const codes = await Promise.all(servers.map((s) => s.stop()));
    await dropPostgres(databaseUrl);
    assert.deepEqual(codes, [0, 0, 0], servers.map((s) => s.output()).join("\n---\n"));
  }
});

Deno.test({
  name: "the official client plays through a load balancer without sticky sessions",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("cluster_balanced");
  const servers = await startServers(3, { redisUrl, databaseUrl });
  const proxy = roundRobinProxy(servers.map((s) => s.port));
  const clients: ClusterClient[] = [];
  try {
    // Every request of a client may reach another server: registration, login, negotiate, socket.
    const players = [];
    for (let i = 0; i < 3; i++) players.push(await registerAndLogin(proxy.url));
    for (const [i, player] of players.entries()) {
      clients.push(await connect(`c${i}`, proxy.url, player.token));
    }
    assert.equal(new Set(proxy.picks).size, 3, "connections went to every server");
    await Promise.all(clients.map((x) => x.nextEndRound()));
    const replies = await Promise.all(
      clients.map((x) => x.connection.invoke<Score>("Increment")),
    );
    assert.ok(replies.every((r) => r.counted && r.score >= 1));
    const next = await Promise.all(clients.map((x) => x.nextEndRound()));
    assert.equal(new Set(next.map((e) => JSON.stringify(strip(e)))).size, 1, "one EndRound");
    await waitFor("PlayerCount 3 on every client", () => clients.every((x) => x.online() === 3));
  } finally {
    await Promise.all(clients.map((x) => x.stop()));
    proxy.close();
    await Promise.all(servers.map((s) => s.stop()));
    await dropPostgres(databaseUrl);
  }
});

/** An EndRound without the local receipt time. */
function strip(e: Received) {
  return { roundId: e.roundId, winners: [...e.winners].sort(), nbClicks: e.nbClicks };
}
