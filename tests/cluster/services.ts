/**
 * Redis and PostgreSQL for the tests of several servers: started by
 * `.ci/services.sh` (idempotent, so `deno task test` works on a fresh
 * machine too), then a Redis database index per test file, emptied, and a
 * new PostgreSQL database per test, so test files running at once never
 * share state.
 *
 * @module
 */

import { join } from "node:path";
// @ts-types="../../src/db/postgres/pg_types.d.ts"
import pg from "pg";
// @ts-types="../../src/cluster/ioredis_types.d.ts"
import { Redis } from "ioredis";

const SCRIPT = join(import.meta.dirname!, "..", "..", ".ci", "services.sh");

/** Where the shared services listen. */
export interface Services {
  /** `redis://127.0.0.1:PORT` (no database index). */
  readonly redisUrl: string;
  /** `postgres://clicker@127.0.0.1:PORT/clicker`, the maintenance database. */
  readonly databaseUrl: string;
}

let started: Promise<Services> | undefined;

/** Starts Redis and PostgreSQL unless they run already; once per process. */
export function services(): Promise<Services> {
  return started ??= (async () => {
    const { code, stdout, stderr } = await new Deno.Command("bash", {
      args: [SCRIPT, "start"],
      stdin: "null",
      // A start that hangs fails the test instead of the whole run.
      signal: AbortSignal.timeout(180_000),
    }).output();
    const text = new TextDecoder().decode(stdout);
    if (code !== 0) {
      throw new Error(`.ci/services.sh start failed:\n${text}${new TextDecoder().decode(stderr)}`);
    }
    const value = (name: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
      if (!line) throw new Error(`.ci/services.sh printed no ${name}:\n${text}`);
      return line.slice(name.length + 1).trim();
    };
    return { redisUrl: value("REDIS_URL"), databaseUrl: value("DATABASE_URL") };
  })();
}

/** Redis database `index` of the shared Redis, emptied; the URL names it. */
export async function freshRedis(index: number): Promise<string> {
  const { redisUrl } = await services();
  const url = `${redisUrl}/${index}`;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    await redis.call("FLUSHDB");
  } finally {
    redis.disconnect();
  }
  return url;
}

/** A new, empty PostgreSQL database; its URL. */
export async function freshPostgres(prefix: string): Promise<string> {
  const { databaseUrl } = await services();
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await adminQuery(databaseUrl, `create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops a database made by {@linkcode freshPostgres}, closing what is still connected to it. */
export async function dropPostgres(url: string): Promise<void> {
  const { databaseUrl } = await services();
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z_]+_[0-9a-f]{12}$/.test(name)) throw new RangeError(`Not a test database: ${name}`);
  await adminQuery(databaseUrl, `drop database if exists ${name} with (force)`);
}

/** Runs one statement on the database at `url`; resolves with its rows. */
export async function adminQuery<R = Record<string, unknown>>(
  url: string,
  text: string,
  parameters: unknown[] = [],
): Promise<R[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  try {
    const client = await pool.connect();
    try {
      return (await client.query<R>(text, parameters)).rows;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
