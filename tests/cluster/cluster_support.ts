/**
 * Several servers for a test: child processes of `main.ts` sharing one
 * Redis and one PostgreSQL, official `@microsoft/signalr` clients that keep
 * every `EndRound` and `PlayerCount` they get, and ways to wait and ask.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { type SpawnedServer, spawnServer } from "../support/spawn_server.ts";
import { adminQuery } from "./services.ts";
import {
  ClientMethod,
  type EndRound,
  type GameInfo,
  type PlayerCount,
} from "../../src/hub/wire.ts";

/** Options of {@linkcode startServers}. */
export interface ClusterServersOptions {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** More environment variables, for every server. */
  readonly env?: Record<string, string>;
  /** The module every server runs instead of `main.ts` (a test's own entry point). */
  readonly entry?: string;
  /** Round length in seconds (default 1). */
  readonly roundSeconds?: number;
}

/**
 * Starts `count` servers playing one game; the first alone, so it settles
 * the schedule. Should one fail to start, those started are stopped.
 */
export async function startServers(
  count: number,
  options: ClusterServersOptions,
): Promise<SpawnedServer[]> {
  const start = (i: number) =>
    spawnServer({
      entry: options.entry,
      roundSeconds: options.roundSeconds ?? 1,
      env: {
        REDIS_URL: options.redisUrl,
        DATABASE_URL: options.databaseUrl,
        SERVER_ID: `test-${i}`,
        REGISTRATIONS_PER_HOUR: "1000",
        ...options.env,
      },
    });
  const first = await start(0);
  const rest = await Promise.allSettled(
    Array.from({ length: count - 1 }, (_, i) => start(i + 1)),
  );
  const servers = [first, ...rest.flatMap((r) => r.status === "fulfilled" ? [r.value] : [])];
  const failed = rest.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failed.reason;
  }
  return servers;
}

/** What `/healthz` says. */
export interface Health {
  readonly status: number;
  readonly body: {
    readonly role?: "leader" | "follower";
    readonly redis?: string;
    readonly postgres?: string;
    readonly roundLoop: { readonly roundId: number; readonly roundEndsAt: number };
  };
}

/** Asks a server's `/healthz`; `undefined` when it doesn't answer. */
export async function health(server: SpawnedServer): Promise<Health | undefined> {
  try {
    const response = await fetch(new URL("healthz", server.url), {
      signal: AbortSignal.timeout(1000),
    });
    return { status: response.status, body: await response.json() };
  } catch {
    return undefined;
  }
}

/** The servers that say they lead now. */
export async function leaders(servers: readonly SpawnedServer[]): Promise<SpawnedServer[]> {
  const roles = await Promise.all(servers.map((s) => health(s)));
  return servers.filter((_, i) => roles[i]?.body.role === "leader");
}

/** Waits until `check` holds (polling every `everyMs`), or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `promise`, or a rejection naming `what` after `ms`: no test waits forever. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An `EndRound` as received, with when. */
export type Received = EndRound & { readonly receivedAt: number };

/** A started official client and what it received. */
export interface ClusterClient {
  readonly name: string;
  readonly connection: signalR.HubConnection;
  readonly info: GameInfo;
  readonly ended: Received[];
  /** The last `PlayerCount` received, or -1. */
  readonly online: () => number;
  /** Resolves with the next `EndRound` to arrive; rejects after `timeoutMs` (default 20 s). */
  nextEndRound(timeoutMs?: number): Promise<Received>;
  stop(): Promise<void>;
}

/** Connects the official client to `baseUrl` as the player holding `token`. */
export async function connect(
  name: string,
  baseUrl: string,
  token: string,
): Promise<ClusterClient> {
  const connection = new signalR.HubConnectionBuilder()
    // Any transport: WebSockets first, as the official client picks.
    .withUrl(baseUrl + "game", { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const ended: Received[] = [];
  let waiters: ((e: Received) => void)[] = [];
  let online = -1;
  const { promise: info, resolve: gotInfo } = Promise.withResolvers<GameInfo>();
  connection.on(ClientMethod.GameInfo, (message: GameInfo) => gotInfo(message));
  connection.on(ClientMethod.EndRound, (message: EndRound) => {
    const event = { ...message, receivedAt: Date.now() };
    ended.push(event);
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter(event);
  });
  connection.on(ClientMethod.PlayerCount, (message: PlayerCount) => online = message.online);
  connection.on(ClientMethod.Throttled, () => {});
  connection.on(ClientMethod.Standing, () => {});
  await within(10_000, `${name} to connect`, connection.start());
  return {
    name,
    connection,
    info: await within(10_000, `GameInfo for ${name}`, info),
    ended,
    online: () => online,
    nextEndRound: (timeoutMs = 20_000) =>
      within(
        timeoutMs,
        `the next EndRound for ${name}`,
        new Promise((resolve) => waiters.push(resolve)),
      ),
    stop: () => connection.stop(),
  };
}

/** Asserts that a client's rounds follow each other: ids one apart, none twice. */
export function consecutive(client: ClusterClient): string | undefined {
  for (let i = 1; i < client.ended.length; i++) {
    if (client.ended[i].roundId !== client.ended[i - 1].roundId + 1) {
      const ids = client.ended.map((e) => e.roundId).join(",");
      return `${client.name} got rounds ${ids}`;
    }
  }
  return undefined;
}

/**
 * Asserts that the rounds recorded in PostgreSQL are whole: ids one apart
 * (none missing, none twice), every round the `clients` heard among them,
 * and each player's wins counted once per round won. Resolves with the ids.
 */
export async function assertRecordsWhole(
  databaseUrl: string,
  clients: readonly ClusterClient[] = [],
): Promise<number[]> {
  const rows = await adminQuery<{ id: number }>(databaseUrl, "select id from rounds order by id");
  const ids = rows.map((r) => r.id);
  assert.deepEqual(ids, ids.map((_, i) => ids[0] + i), "round ids follow each other");
  for (const client of clients) {
    for (const e of client.ended) assert.ok(ids.includes(e.roundId), `${e.roundId} recorded`);
  }
  const wins = await adminQuery<{ username: string; nb_wins: number; won: number }>(
    databaseUrl,
    `select p.username, p.nb_wins, (select count(*)::int from round_winners w
       where w.player_id = p.id) as won from players p`,
  );
  for (const row of wins) assert.equal(row.nb_wins, row.won, `${row.username}'s wins`);
  return ids;
}

/** A player's all-time wins as PostgreSQL holds them. */
export async function recordedWins(databaseUrl: string, username: string): Promise<number> {
  const [row] = await adminQuery<{ nb_wins: number }>(
    databaseUrl,
    "select nb_wins from players where username = $1",
    [username],
  );
  return row.nb_wins;
}
