/**
 * The operations guide's deployment, tested as written: the start line and the nginx
 * example of "Running several servers" are read out of docs/operations.md, their
 * ports replaced by free ones, and run: three servers, Debian's nginx in
 * front, round-robin without sticky sessions. Through it, the official
 * client over Server-Sent Events and long polling (JSON and MessagePack)
 * plays rounds, whichever server each of its requests lands on, and so does
 * the web page in Chromium, on a port other than 80.
 */

import assert from "node:assert/strict";
import { HttpTransportType } from "@microsoft/signalr";
import { registerAndLogin, type TestPlayer } from "../support/accounts.ts";
import { connectClient, type TestClient } from "../support/hub_client.ts";
import { type SpawnedServer, spawnServer } from "../support/spawn_server.ts";
import {
  CHROMIUM_MISSING,
  clickTimes,
  ensureBundle,
  game,
  IN_CI,
  logInInPage,
  newPage,
  text,
  waitGame,
  waitPlaying,
  waitScore,
  withBrowser,
} from "../e2e/browser_support.ts";
import { adminQuery, dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import { within } from "./cluster_support.ts";
import { freePorts } from "../support/free_ports.ts";
import {
  NGINX,
  type Nginx,
  NGINX_MISSING,
  readDeployment,
  startNginx,
  startTaskFlags,
  withPorts,
} from "./nginx_support.ts";
import type { EndRound, ScoreUpdate } from "../../src/hub/wire.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 7;
/** Short rounds: the rounds' length is not what is tested here. */
const ROUND_SECONDS = 2;

/** The transport a started official client ended up with (the client keeps it to itself). */
function transportOf(client: TestClient): string {
  const http = (client.connection as unknown as { connection: { transport: object } }).connection;
  return http.transport.constructor.name;
}

/** The next `EndRound` a client gets, or a failure naming it after 10 s. */
function nextEndRound(name: string, client: TestClient) {
  return within(10_000, `the next EndRound for ${name}`, client.nextEndRound());
}

const CLIENTS = [
  { name: "JSON over Server-Sent Events", transport: HttpTransportType.ServerSentEvents },
  { name: "JSON over long polling", transport: HttpTransportType.LongPolling },
  {
    name: "MessagePack over long polling",
    transport: HttpTransportType.LongPolling,
    protocol: "messagepack",
  },
] as const;

if (NGINX_MISSING) {
  console.log(`No nginx at ${NGINX}: install it with \`apt-get install nginx\``);
}

Deno.test({
  name: "the operations guide's nginx example: three servers, every transport, the web page",
  ignore: NGINX_MISSING && !IN_CI,
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const deployment = await readDeployment();
  assert.deepEqual(deployment.denoFlags, await startTaskFlags(), "deno task start's flags");
  assert.equal(deployment.env.HOST, "127.0.0.1", "the servers listen on 127.0.0.1 only");
  assert.equal(deployment.ports.length, 3);
  for (const line of ["proxy_set_header Host $http_host;", "proxy_buffering off;"]) {
    assert.ok(deployment.nginx.includes(line), `the nginx example has ${line}`);
  }

  const [nginxPort, ...ports] = freePorts(4);
  const site = withPorts(deployment, ports, nginxPort);

  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("nginx");
  const servers: SpawnedServer[] = [];
  let nginx: Nginx | undefined;
  const clients: TestClient[] = [];
  try {
    const start = (port: number) =>
      spawnServer({
        port,
        roundSeconds: ROUND_SECONDS,
        denoFlags: deployment.denoFlags,
        env: {
          ...Object.fromEntries(
            Object.entries(deployment.env).map(([name, value]) => [
              name,
              value.replaceAll("$port", String(port)),
            ]),
          ),
          REDIS_URL: redisUrl,
          DATABASE_URL: databaseUrl,
        },
      });
    // As the guide does before starting them: the servers serve the page it builds.
    await ensureBundle();
    // The first alone: it settles the schedule.
    servers.push(await start(ports[0]));
    servers.push(...await Promise.all(ports.slice(1).map(start)));
    nginx = await startNginx(site, nginxPort);
    const through = nginx.url;

    await t.step("the official client plays over Server-Sent Events and long polling", async () => {
      const players: TestPlayer[] = [];
      for (const _ of CLIENTS) players.push(await registerAndLogin(through));
      const started = await Promise.all(CLIENTS.map(async (options, i) => {
        const client = await within(
          15_000,
          `${options.name} to connect`,
          connectClient(through, players[i].token, options),
        );
        clients.push(client);
        return client;
      }));
      assert.deepEqual(started.map(transportOf), [
        "ServerSentEventsTransport",
        "LongPollingTransport",
        "LongPollingTransport",
      ]);

      /**
       * Once a round starts (right after `previous`, the EndRound of the round
       * before, or else the next one to come), client i clicks `clicks[i]`
       * times; resolves with each one's replies and the round's EndRound. A
       * round that ended before the clicks were all in (a stalled machine) is
       * tried again. The Server-Sent Events stream must not outlive the
       * request timeout (10 s): no round is waited for in vain.
       */
      const playRound = async (clicks: readonly number[], previous?: EndRound) => {
        for (let attempt = 1;; attempt++) {
          const begun = previous ?? (await Promise.all(
            started.map((client, i) => nextEndRound(CLIENTS[i].name, client)),
          ))[0];
          const replies = await Promise.all(started.map(async (client, i) => {
            const mine: ScoreUpdate[] = [];
            for (let n = 0; n < clicks[i]; n++) {
              mine.push(await client.connection.invoke("Increment"));
            }
            return mine;
          }));
          const inTime = Date.now() < begun.nextRoundEndsAt;
          const ended = await Promise.all(
            started.map((client, i) => nextEndRound(CLIENTS[i].name, client)),
          );
          if (inTime) {
            assert.equal(new Set(ended.map((e) => e.roundId)).size, 1, "one round ended for all");
            assert.equal(ended[0].roundId, begun.roundId + 1);
            return { replies, ended: ended[0] };
          }
          previous = ended[0];
          assert.ok(attempt < 5, "the clicks landed in one round within five tries");
          console.log(`attempt ${attempt}: the round ended mid-clicks; trying the next one`);
        }
      };

      // Client i clicks i + 1 times: the third wins alone.
      const first = await playRound([1, 2, 3]);
      for (const [i, replies] of first.replies.entries()) {
        assert.ok(replies.every((r) => r.counted), `${CLIENTS[i].name}'s clicks counted`);
        assert.deepEqual(replies.map((r) => r.score), replies.map((_, n) => n + 1));
      }
      assert.deepEqual(first.ended.winners, [players[2].username]);
      assert.equal(first.ended.nbClicks, 3, "the winning score");

      // A later round counts again, from 0: a three-way tie.
      const later = await playRound([1, 1, 1], first.ended);
      assert.deepEqual(
        later.replies.map(([r]) => [r.counted, r.score]),
        [[true, 1], [true, 1], [true, 1]],
      );
      assert.equal(later.ended.nbClicks, 1);
      assert.deepEqual([...later.ended.winners].sort(), players.map((p) => p.username).sort());

      const recorded = await adminQuery<{ username: string }>(
        databaseUrl,
        `select p.username from round_winners w join players p on p.id = w.player_id
          where w.round_id = $1 order by p.username`,
        [later.ended.roundId],
      );
      assert.deepEqual(
        recorded.map((r) => r.username),
        players.map((p) => p.username).sort(),
        "the round is recorded with its winners",
      );

      // Whichever server nginx picked, requests reached their connection: each server
      // took requests for connections another server holds.
      for (const [i, server] of servers.entries()) {
        const others = ports.filter((_, j) => j !== i).map((port) => `id=web-${port}.`);
        const relayed = others.reduce((sum, id) => sum + server.output().split(id).length - 1, 0);
        console.log(`web-${ports[i]} relayed ${relayed} requests to the other servers`);
        assert.ok(relayed > 0, `web-${ports[i]} relayed requests`);
      }
      await Promise.all(clients.splice(0).map((client) => client.stop()));
    });

    await t.step("a long poll sent by hand reaches its connection on any server", async () => {
      const player = await registerAndLogin(through);
      const auth = { authorization: `Bearer ${player.token}` };
      const at = (i: number, token: string) => `${servers[i].url}game?id=${token}`;
      const negotiated = await fetch(`${servers[0].url}game/negotiate?negotiateVersion=1`, {
        method: "POST",
        headers: auth,
      });
      const { connectionToken: token } = await negotiated.json();
      assert.match(token, new RegExp(`^web-${ports[0]}\\.[\\w-]{22}$`));

      // Opened on server 1, its handshake posted to server 2, answered on server 1.
      const opened = await fetch(at(1, token), { headers: auth });
      assert.equal(opened.status, 200);
      await opened.body?.cancel();
      const handshake = await fetch(at(2, token), {
        method: "POST",
        headers: auth,
        body: '{"protocol":"json","version":1}\x1e',
      });
      assert.equal(handshake.status, 200);
      await handshake.body?.cancel();
      const polled = await fetch(at(1, token), { headers: auth });
      assert.equal(polled.status, 200);
      const records = (await polled.text()).split("\x1e");
      assert.equal(records[0], "{}");
      assert.match(records[1], /"target":"GameInfo"/);

      // A relayed request is not relayed again; nor is a token of no live server.
      const twice = await fetch(at(2, token), {
        headers: { ...auth, "x-clicker-relayed-by": "web-0" },
      });
      assert.equal(twice.status, 404);
      await twice.body?.cancel();
      const nowhere = await fetch(at(2, token.replace(/^[^.]*/, "web-1")), { headers: auth });
      assert.equal(nowhere.status, 404);
      await nowhere.body?.cancel();

      const ended = await fetch(at(2, token), { method: "DELETE", headers: auth });
      assert.equal(ended.status, 202);
      await ended.body?.cancel();
      const last = await fetch(at(1, token), { headers: auth });
      assert.equal(last.status, 200, "the close record");
      assert.match(await last.text(), /"type":7/);
    });

    await t.step({
      name: "the web page plays through nginx on a port other than 80",
      ignore: CHROMIUM_MISSING !== undefined && !IN_CI,
      fn: async () => {
        await withBrowser(async (browser) => {
          const page = await newPage(await browser.newContext());
          const player = await registerAndLogin(through);
          await page.goto(through);
          await logInInPage(page, player.username, player.password);
          await waitPlaying(page);
          // Clicks early in a round, so all three land in it.
          for (let attempt = 1;; attempt++) {
            await waitGame(page, "round-ends-at", await game(page, "round-ends-at"), true);
            const roundEndsAt = await game(page, "round-ends-at");
            await clickTimes(page, 3);
            await waitScore(page, 3, 3_000).catch(() => {});
            const sameRound = await game(page, "round-ends-at") === roundEndsAt;
            if (sameRound && await text(page, "#score") === "3") {
              await waitGame(page, "round-ends-at", roundEndsAt, true);
              break;
            }
            assert.ok(attempt < 5, "three clicks landed in one round within five tries");
          }
          assert.equal(await page.locator("#result").getAttribute("data-outcome"), "won");
          assert.equal(await text(page, "#result-headline"), "You won!");
          assert.match(await text(page, "#result-detail"), /\b3 points\b/);
        });
      },
    });
  } finally {
    await Promise.all(clients.map((client) => client.stop().catch(() => {})));
    await nginx?.stop();
    const codes = await Promise.all(servers.map((server) => server.stop()));
    await dropPostgres(databaseUrl);
    assert.deepEqual(
      codes,
      servers.map(() => 0),
      servers.map((server) => server.output()).join("\n---\n"),
    );
  }
});
