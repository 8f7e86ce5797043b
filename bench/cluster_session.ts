/**
 * Sessions of the clustered part: Redis and PostgreSQL started and the
 * accounts made once per run, then for each session servers started afresh
 * on a Redis database index emptied for it and a PostgreSQL database copied
 * from the accounts' template, all stopped and the copy dropped afterwards.
 *
 * @module
 */

import { join } from "node:path";
import { type ServerProcess, startServer } from "./processes.ts";
import type { Base } from "./session.ts";
import {
  BenchDatabases,
  freshRedis,
  redisPid,
  type Services,
  startServices,
} from "./cluster_services.ts";
import { makeAccounts, RAISED, SERVER_V8_FLAGS } from "./targets.ts";

/** What every clustered session starts from. */
export interface ClusterSetup {
  readonly services: Services;
  readonly databases: BenchDatabases;
  /** The database each session's is copied from: migrated, holding the accounts. */
  readonly template: string;
  /** The accounts file, for the load generators. */
  readonly accounts: string;
  /** The `JWT_SECRET` every server gets and the tokens are signed with. */
  readonly secret: string;
  readonly redisPid: number;
}

/** Starts Redis and PostgreSQL and makes `players` accounts in a template database. */
export async function prepareCluster(
  tmp: string,
  options: { secret: string; players: number },
): Promise<ClusterSetup> {
  const services = await startServices();
  const databases = new BenchDatabases(services);
  try {
    const template = await databases.create();
    const accounts = join(tmp, "accounts-cluster.json");
    await makeAccounts({ url: template }, { ...options, out: accounts });
    return {
      services,
      databases,
      template,
      accounts,
      ...options,
      redisPid: await redisPid(services),
    };
  } catch (error) {
    databases.dropAllSync();
    throw error;
  }
}

/** Options of {@linkcode clusterSession}. */
export interface ClusterSessionOptions {
  readonly servers: number;
  readonly roundSeconds: number;
  /** The Redis database index this session empties and uses. */
  readonly redisDb: number;
}

/**
 * Runs `body` against `servers` freshly started servers sharing a fresh Redis
 * database and a fresh copy of the template; all are stopped, and the copy
 * dropped, whatever happens. The load flags name every server's URL.
 */
export async function clusterSession(
  setup: ClusterSetup,
  options: ClusterSessionOptions,
  body: (servers: readonly ServerProcess[], base: Base) => Promise<void>,
): Promise<void> {
  const redisUrl = await freshRedis(setup.services, options.redisDb);
  const databaseUrl = await setup.databases.create(setup.template);
  const env = (i: number) => ({
    PORT: "0",
    HOST: "127.0.0.1",
    DENO_V8_FLAGS: SERVER_V8_FLAGS,
    ROUND_SECONDS: String(options.roundSeconds),
    JWT_SECRET: setup.secret,
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    SERVER_ID: `bench-${i + 1}`,
    ...RAISED,
  });
  const servers: ServerProcess[] = [];
  try {
    // The first alone: it settles the schedule the others follow.
    servers.push(await startServer("main.ts", env(0)));
    const rest = await Promise.allSettled(
      Array.from({ length: options.servers - 1 }, (_, i) => startServer("main.ts", env(i + 1))),
    );
    for (const started of rest) if (started.status === "fulfilled") servers.push(started.value);
    const failed = rest.find((started) => started.status === "rejected");
    if (failed) throw failed.reason;
    await body(servers, { url: servers.map((s) => s.base).join(","), accounts: setup.accounts });
  } catch (error) {
    const said = servers.map((s, i) => `bench-${i + 1} said:\n${s.tail()}`).join("\n");
    throw new Error(`clustered: ${(error as Error).message}\n${said}`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await setup.databases.drop(databaseUrl);
  }
}
