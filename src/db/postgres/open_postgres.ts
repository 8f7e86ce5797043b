/**
 * Opens the PostgreSQL database several servers share, and brings its schema
 * up to date. `bigint` columns (epoch-ms times) come back as numbers, as
 * SQLite's do; a connection that can't be made or is lost surfaces as
 * `DatabaseUnavailableError` (see `postgres_errors.ts`), so the API answers
 * 503 and the round loop retries, as with a locked SQLite file.
 *
 * @module
 */

import { Kysely, type LogConfig, Migrator, PostgresDialect, type PostgresPoolClient } from "kysely";
// @ts-types="./pg_types.d.ts"
import pg from "pg";
import type { CustomTypes, PoolClient } from "./pg_types.d.ts";
import type { Database } from "../schema.ts";
import { DatabaseOpenError } from "../open_database.ts";
import { postgresMigrationProvider } from "./migrations.ts";
import { translatePostgresError } from "./postgres_errors.ts";
import { preparedName } from "./prepared_statement.ts";
import { getLogger } from "@logtape/logtape";
import type { ProblemLog } from "../../log/problem_log.ts";
import { errorMessage } from "../../log/error_message.ts";

/** Options of {@linkcode openPostgres}. */
export interface OpenPostgresOptions {
  /** Connections in the pool at most (default 10). */
  readonly maxConnections?: number;
  /** How long a query may wait for a connection, in ms (default 2000). */
  readonly connectTimeoutMs?: number;
  /** How long one query may run, in ms (default 10000). */
  readonly queryTimeoutMs?: number;
  /**
   * How long a connection may sit idle before the pool closes it, in ms
   * (default 30000). A statement that finds none open waits for a new
   * connection first, so a server that writes once a round keeps them longer.
   */
  readonly idleTimeoutMs?: number;
  /** Where the pool's background errors go (default: the `clicker.database` logger). */
  readonly log?: ProblemLog;
  /** Kysely's query log, for tests. */
  readonly queryLog?: LogConfig;
}

/** OIDs of the numeric types read as numbers: int8 (`bigint`, `count(*)`) and numeric. */
const INT8 = 20;
const NUMERIC = 1700;

/** `pg`'s parsers, but `bigint` and `numeric` as numbers: epoch ms fit a double exactly. */
const TYPES: CustomTypes = {
  getTypeParser(oid, format) {
    if (oid === INT8 || oid === NUMERIC) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Wraps a checked-out connection so its failures arrive translated. */
function translating(client: PoolClient): PostgresPoolClient {
  async function query<R>(sqlText: string, parameters: ReadonlyArray<unknown>) {
    try {
      const name = preparedName(sqlText);
      if (name !== undefined) {
        return await client.query<R>({ name, text: sqlText, values: parameters });
      }
      return await client.query<R>(sqlText, parameters);
    } catch (error) {
      throw translatePostgresError(error);
    }
  }
  return {
    // Only the (sql, parameters) form: the server never streams results through a cursor.
    query: query as PostgresPoolClient["query"],
    release: (destroy?: boolean) => client.release(destroy),
  };
}

/**
 * Connects to `url`, runs pending migrations (Kysely serializes servers
 * starting at once with a lock), and returns the database. Throws
 * {@linkcode DatabaseOpenError} when PostgreSQL can't be reached or migrated.
 */
export async function openPostgres(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<Kysely<Database>> {
  const log = options.log ?? getLogger(["clicker", "database"]);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    query_timeout: options.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    application_name: "clicker",
    types: TYPES,
  });
  // An idle connection dropped by the server is an event, not a crash.
  pool.on(
    "error",
    (error) => log.error("PostgreSQL connection lost", { error: errorMessage(error) }),
  );
  const dialect = new PostgresDialect({
    pool: {
      async connect() {
        try {
          return translating(await pool.connect());
        } catch (error) {
          throw translatePostgresError(error);
        }
      },
      end: () => pool.end(),
    },
  });
  const db = new Kysely<Database>({ dialect, log: options.queryLog });
  const { error } = await new Migrator({ db, provider: postgresMigrationProvider })
    .migrateToLatest();
  if (error) {
    await db.destroy();
    const message = errorMessage(error);
    throw new DatabaseOpenError(`Cannot open PostgreSQL at ${redact(url)}: ${message}`);
  }
  return db;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    return "the configured URL";
  }
}
