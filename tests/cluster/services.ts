/**
 * Redis and PostgreSQL for the tests of several servers. Under `deno task
 * test` the run started them (`tests/run.ts`) and names them in the
 * environment; a test file run by hand starts its own, on free ports, and
 * stops them when it ends. Then a Redis database per test file, handed out
 * so that no two files share one, emptied, and a new PostgreSQL database
 * per test, so test files running at once never share state.
 *
 * @module
 */

// @ts-types="../../src/db/postgres/pg_types.d.ts"
import pg from "pg";
// @ts-types="../../src/cluster/ioredis_types.d.ts"
import { Redis } from "ioredis";
import { SERVICES_ENV, type ServiceUrls, startServices } from "../support/test_services.ts";

/** Where the shared services listen. */
export type Services = ServiceUrls;

let started: Promise<Services> | undefined;

/** The run's services; or, without them, this file's own, started once and stopped at its end. */
export function services(): Promise<Services> {
  return started ??= (async () => {
    const redisUrl = Deno.env.get(SERVICES_ENV.redisUrl);
    const databaseUrl = Deno.env.get(SERVICES_ENV.databaseUrl);
    if (redisUrl && databaseUrl) return { redisUrl, databaseUrl };
    const own = await startServices();
    // `unload` comes when the file's tests are done, passed or failed; the
    // watcher covers an interrupted or killed run.
    globalThis.addEventListener("unload", () => own.stopSync());
    return { redisUrl: own.redisUrl, databaseUrl: own.databaseUrl };
  })();
}

/** In database 0, the counter that hands out the others. */
const NEXT_DATABASE = "clicker-test:next-database";
/** This file's databases, by the number it names each by. */
const databases = new Map<number, Promise<number>>();

/**
 * A Redis database of this test file's own, emptied; the URL names it.
 * `index` is the file's name for it: test files running at once share one
 * Redis, so each index of each file gets a database no other file has,
 * handed out by a counter in database 0.
 */
export async function freshRedis(index: number): Promise<string> {
  const { redisUrl } = await services();
  let database = databases.get(index);
  if (!database) {
    database = allocateDatabase(redisUrl);
    databases.set(index, database);
  }
  const url = `${redisUrl}/${await database}`;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    await redis.call("FLUSHDB");
  } finally {
    redis.disconnect();
  }
  return url;
}

async function allocateDatabase(redisUrl: string): Promise<number> {
  const redis = new Redis(`${redisUrl}/0`, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    const database = Number(await redis.call("INCR", NEXT_DATABASE));
    const [, count] = await redis.call("CONFIG", "GET", "databases") as string[];
    if (database >= Number(count)) {
      throw new RangeError(
        `Cannot give this test file a Redis database: all ${Number(count) - 1} are taken`,
      );
    }
    return database;
  } finally {
    redis.disconnect();
  }
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
