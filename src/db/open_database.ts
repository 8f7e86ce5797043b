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

// Opening may wait longer than the game's writes: another process starting on
// the same file holds the lock while it migrates.
const OPEN_WAIT_MS = 5000;

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
  const busyTimeoutMs = options.busyTimeoutMs ?? 200;
  let sqlite: DatabaseSync;
  try {
    if (!memory) Deno.mkdirSync(dirname(path), { recursive: true });
    sqlite = new DatabaseSync(path, {
      enableForeignKeyConstraints: true,
      timeout: Math.max(busyTimeoutMs, OPEN_WAIT_MS),
    });
  } catch (error) {
    throw new DatabaseOpenError(`Cannot open database "${path}": ${messageOf(error)}`);
  }
  try {
    if (!memory) await enableWal(sqlite, Math.max(busyTimeoutMs, OPEN_WAIT_MS));
    sqlite.exec("pragma synchronous = normal");
    // The write lock proves the file is a database and can be written. It is held
    // through the migrations: Kysely runs SQLite migrations outside any transaction,
    // so this one makes them all-or-nothing and keeps a second process starting on
    // the same file from running them too.
    sqlite.exec("begin immediate");
  } catch (error) {
    sqlite.close();
    throw new DatabaseOpenError(`Cannot use database "${path}": ${messageOf(error)}`);
  }
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqliteAdapter(sqlite) }),
    log: options.log,
  });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  try {
    if (error) throw error;
    sqlite.exec("commit");
    sqlite.exec(`pragma busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  } catch (error) {
    await db.destroy(); // closing rolls the migrations back
    throw new DatabaseOpenError(`Cannot migrate database "${path}": ${messageOf(error)}`);
  }
  return db;
}

// SQLite answers "database is locked" at once, without its busy timeout, when
// another process holds a lock on a new file while this one switches it to
// WAL; two servers starting together on it would fail. Retry for as long as
// opening may wait.
async function enableWal(sqlite: DatabaseSync, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      sqlite.exec("pragma journal_mode = wal");
      return;
    } catch (error) {
      if (!messageOf(error).includes("database is locked") || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
