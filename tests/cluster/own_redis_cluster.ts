/**
 * Servers playing one game on a Redis of the test's own ({@linkcode OwnRedis})
 * and a new PostgreSQL database, for tests that stop or empty Redis under
 * them. Everything is stopped and removed after the test, however it ends.
 *
 * @module
 */

import type { SpawnedServer } from "../support/spawn_server.ts";
import { freePorts } from "../support/free_ports.ts";
import { type ClusterClient, startServers } from "./cluster_support.ts";
import { OwnRedis } from "./own_redis.ts";
import { dropPostgres, freshPostgres } from "./services.ts";

/** What {@linkcode withOwnRedisCluster} hands the test. */
export interface OwnRedisCluster {
  readonly redis: OwnRedis;
  readonly databaseUrl: string;
  readonly servers: readonly SpawnedServer[];
  /** Where the test puts the clients it connects, so that they are stopped after it. */
  readonly clients: ClusterClient[];
}

/** Options of {@linkcode withOwnRedisCluster}. */
export interface OwnRedisClusterOptions {
  /** How many servers play. */
  readonly servers: number;
  /** Names the test's PostgreSQL database. */
  readonly databasePrefix: string;
  /** Round length in seconds (default 1). */
  readonly roundSeconds?: number;
}

/** Starts Redis, a database and the servers, runs `body`, then stops them all. */
export async function withOwnRedisCluster(
  options: OwnRedisClusterOptions,
  body: (cluster: OwnRedisCluster) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-redis-" });
  const redis = new OwnRedis(freePorts(1)[0], dir);
  let databaseUrl: string | undefined;
  const servers: SpawnedServer[] = [];
  const clients: ClusterClient[] = [];
  try {
    // Everything started inside `try`: a start that fails still stops the rest.
    await redis.start();
    databaseUrl = await freshPostgres(options.databasePrefix);
    servers.push(
      ...await startServers(options.servers, {
        redisUrl: redis.url,
        databaseUrl,
        roundSeconds: options.roundSeconds,
      }),
    );
    await body({ redis, databaseUrl, servers, clients });
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
    if (databaseUrl) await dropPostgres(databaseUrl);
    await Deno.remove(dir, { recursive: true });
  }
}
