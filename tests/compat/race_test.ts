/**
 * `WatchRace`, `Race` and `EndRound.standings` through the official client
 * against the real server, in JSON and in MessagePack: a watcher sees the
 * race move and its own place, a client that did not ask sees no `Race`,
 * and the round's end names its final top.
 */

import assert from "node:assert/strict";
import { startTestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { connectClient, type TestClient } from "../support/hub_client.ts";
import { ClientMethod, HubMethod, type Race, type ScoreUpdate } from "../../src/hub/wire.ts";

/** Resolves once `check` holds for a `Race` of `races`, checking as each arrives. */
function raceWhere(
  connection: TestClient["connection"],
  races: Race[],
  check: (race: Race) => boolean,
): Promise<Race> {
  const found = races.find(check);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off(ClientMethod.Race, on);
      reject(new Error(`No matching Race among ${JSON.stringify(races.slice(-3))}`));
    }, 10_000);
    const on = (race: Race) => {
      if (!check(race)) return;
      clearTimeout(timer);
      connection.off(ClientMethod.Race, on);
      resolve(race);
    };
    connection.on(ClientMethod.Race, on);
  });
}

for (const protocol of ["json", "messagepack"] as const) {
  Deno.test(`official client (${protocol}): WatchRace, Race and EndRound's standings`, async () => {
    const server = await startTestServer({ roundSeconds: 3 });
    const clients: TestClient[] = [];
    try {
      const ann = await registerAndLogin(server.url);
      const bob = await registerAndLogin(server.url);
      const a = await connectClient(server.url, ann.token, { protocol });
      const b = await connectClient(server.url, bob.token, { protocol });
      // An old client: never asks, so never hears.
      const old = await connectClient(server.url, bob.token, { protocol });
      clients.push(a, b, old);
      const [racesA, racesOld]: Race[][] = [[], []];
      a.connection.on(ClientMethod.Race, (race: Race) => racesA.push(race));
      old.connection.on(ClientMethod.Race, (race: Race) => racesOld.push(race));

      await a.nextEndRound();
      assert.equal(await a.connection.invoke(HubMethod.WatchRace), null);
      const first = await raceWhere(a.connection, racesA, () => true);
      assert.deepEqual(first.you, { score: 0, rank: null });
      assert.equal(first.players, 0);

      const end = a.nextEndRound();
      let annScore = 0;
      for (let i = 0; i < 3; i++) {
        annScore = (await a.connection.invoke(HubMethod.Increment) as ScoreUpdate).score;
      }
      const bobScore = (await b.connection.invoke(HubMethod.Increment) as ScoreUpdate).score;
      const both = await raceWhere(a.connection, racesA, (r) => r.players === 2);
      assert.deepEqual(both, {
        roundId: first.roundId,
        top: [{ username: ann.username, score: annScore }, {
          username: bob.username,
          score: bobScore,
        }],
        players: 2,
        you: { score: annScore, rank: 1 },
      });

      const ended = await end;
      assert.equal(ended.roundId, first.roundId);
      assert.deepEqual(ended.standings, both.top);
      assert.deepEqual(ended.winners, [ann.username]);
      // The next round's race starts empty.
      const next = await raceWhere(a.connection, racesA, (r) => r.roundId === first.roundId + 1);
      assert.deepEqual({ ...next, roundId: 0 }, {
        roundId: 0,
        top: [],
        players: 0,
        you: { score: 0, rank: null },
      });
      assert.deepEqual(racesOld, []);
      // Each Race went out only when it changed: no two in a row alike.
      for (let i = 1; i < racesA.length; i++) {
        assert.notDeepEqual(racesA[i], racesA[i - 1]);
      }
    } finally {
      await Promise.all(clients.map((client) => client.stop()));
      await server.stop();
    }
  });
}
