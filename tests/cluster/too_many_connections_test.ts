/**
 * The per-player cap across servers: past it, one connection of the player
 * is closed (the oldest on the server holding most of them), with a close
 * the official client does not reconnect from (JSON or MessagePack),
 * whether the player's connections sit on one server or several.
 */

import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { registerAndLogin } from "../support/accounts.ts";
import { dropPostgres, freshPostgres, freshRedis } from "./services.ts";
import { startServers, waitFor, within } from "./cluster_support.ts";
import type { SpawnedServer } from "../support/spawn_server.ts";
import { ClientMethod } from "../../src/hub/wire.ts";

/** This file's Redis database index (each cluster test file has its own). */
const REDIS_DB = 13;

/** An official client that would reconnect at once, and how its connection ended. */
interface Tab {
  readonly connection: signalR.HubConnection;
  /** Set when the connection closed for good. */
  closed: Error | undefined | null;
  reconnecting: number;
}

async function openTab(baseUrl: string, token: string, messagePack = false): Promise<Tab> {
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(baseUrl + "game", { accessTokenFactory: () => token })
    .withAutomaticReconnect([0, 0, 0, 0])
    .configureLogging(signalR.LogLevel.None);
  if (messagePack) builder.withHubProtocol(new MessagePackHubProtocol());
  const connection = builder.build();
  for (const method of Object.values(ClientMethod)) connection.on(method, () => {});
  const tab: Tab = { connection, closed: null, reconnecting: 0 };
  connection.onclose((error) => tab.closed = error);
  connection.onreconnecting(() => tab.reconnecting++);
  await within(10_000, "a connection", connection.start());
  return tab;
}

/** The connections the servers hold, in all, as their `/healthz` say. */
async function connectionsOn(servers: readonly SpawnedServer[]): Promise<number> {
  const answers = await Promise.all(
    servers.map(async (server) => (await fetch(new URL("healthz", server.url))).json()),
  );
  return answers.reduce((sum, answer) => sum + answer.online.connections, 0);
}

/** Checks that `tabs[closed]` alone closed, for the cap, and that no tab reconnected. */
function assertOneClosed(tabs: readonly Tab[], closed: number): void {
  assert.match(String(tabs[closed].closed?.message), /Too many connections/);
  assert.equal(tabs[closed].connection.state, signalR.HubConnectionState.Disconnected);
  assert.deepEqual(
    tabs.map((tab, i) => i === closed || tab.closed === null),
    tabs.map(() => true),
    "the other connections are open",
  );
  assert.deepEqual(tabs.map((tab) => tab.reconnecting), tabs.map(() => 0));
}

Deno.test({
  name: "cluster: one connection past the cap is closed, once, and not reconnected",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("too_many_connections");
  const servers = await startServers(2, { redisUrl, databaseUrl, roundSeconds: 30 });
  const [a, b] = servers;
  let tabs: Tab[] = [];
  try {
    const player = await registerAndLogin(a.url);

    // Six on one server: its own limit closes the oldest, and the count
    // across servers, which saw it leave before the sixth came, no other.
    for (let i = 0; i < 6; i++) tabs.push(await openTab(a.url, player.token));
    await waitFor("the oldest to close", () => tabs[0].closed !== null);
    // A click goes through Redis after the sixth's count did: any kick it
    // brought has been carried out when the click is answered.
    await tabs[5].connection.invoke("Increment");
    assertOneClosed(tabs, 0);
    assert.equal(await connectionsOn(servers), 5);
    await Promise.all(tabs.map((tab) => tab.connection.stop()));
    await waitFor("the connections to close", async () => await connectionsOn(servers) === 0);

    // Four on one server, then two on the other: the sixth closes the
    // oldest on the server that holds most. In MessagePack this time.
    tabs = [];
    for (let i = 0; i < 4; i++) tabs.push(await openTab(a.url, player.token, true));
    for (let i = 0; i < 2; i++) tabs.push(await openTab(b.url, player.token, true));
    await waitFor("the oldest to close", () => tabs[0].closed !== null);
    await tabs[5].connection.invoke("Increment");
    await tabs[1].connection.invoke("Increment");
    assertOneClosed(tabs, 0);
    assert.equal(await connectionsOn(servers), 5);
  } finally {
    await Promise.all(tabs.map((tab) => tab.connection.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await dropPostgres(databaseUrl);
  }
});
