/**
 * Opens the SQLite database (a file, or `:memory:`), tunes it and brings its
 * schema up to date.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { Kysely, type LogConfig, Migrator, SqliteDialect } from "kysely";
import { sqliteAdapter } from "./sqlite_adapter.ts";
import { migrationProvider } from "./migrations.ts";
import type { Database } from "./schema.ts";

/** Options of {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** How long a write waits for another process's lock, in ms (default 200: the game can't stall longer). */
  readonly busyTimeoutMs?: number;
  /** Kysely's query log, for tests that record the SQL a unit of work runs. */
  readonly log?: LogConfig;
}

/** The database could not be opened or migrated; the message says why and where. */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

/**
 * Opens `path` (creating its folder), turns on WAL, foreign keys and a busy
 * timeout, and runs pending migrations. Throws {@linkcode DatabaseOpenError}
 * when the file isn't a database or can't be written.
 */
export async function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
): Promise<Kysely<Database>> {
  const memory = path === ":memory:";
  let sqlite: DatabaseSync;
  try {
    if (!memory) Deno.mkdirSync(dirname(path), { recursive: true });
    sqlite = new DatabaseSync(path, {
      enableForeignKeyConstraints: true,
      timeout: options.busyTimeoutMs ?? 200,
    });
  } catch (error) {
    throw new DatabaseOpenError(`Cannot open database "${path}": ${messageOf(error)}`);
  }
  try {
    if (!memory) sqlite.exec("pragma journal_mode = wal");
    sqlite.exec("pragma synchronous = normal");
    // A write here proves the file is a database and can be written.
    sqlite.exec("begin immediate; commit");
  } catch (error) {
    sqlite.close();
    throw new DatabaseOpenError(`Cannot use database "${path}": ${messageOf(error)}`);
  }
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqliteAdapter(sqlite) }),
    log: options.log,
  });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new DatabaseOpenError(`Cannot migrate database "${path}": ${messageOf(error)}`);
  }
  return db;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
