/**
 * Opens the SQLite database (a file, or `:memory:`), tunes it and brings its
 * schema up to date. A file is locked for this process (one database, one
 * server) and watched for being deleted or replaced; see `database_lock.ts`
 * and `sqlite_driver.ts`.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { Kysely, type LogConfig, Migrator } from "kysely";
import { sqliteAdapter } from "./sqlite_adapter.ts";
import { guardedSqliteDialect, GuardedSqliteDriver } from "./sqlite_driver.ts";
import { type DatabaseLock, lockDatabase, lockHolder } from "./database_lock.ts";
import { FileIdentity } from "./file_identity.ts";
import { isBusyError } from "./sqlite_errors.ts";
import { migrationProvider } from "./migrations.ts";
import type { Database } from "./schema.ts";
import { errorMessage } from "../log/error_message.ts";
import type { ProblemLog } from "../log/problem_log.ts";

/** Options of {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * How long a query waits for another process's lock, in ms (default 2000).
   * The wait is asynchronous: the game goes on meanwhile.
   */
  readonly busyWaitMs?: number;
  /** How often the file is checked for being deleted or replaced, in ms (default 1000). */
  readonly watchIntervalMs?: number;
  /** Where a deleted or replaced database is reported (default: the `clicker.database` logger). */
  readonly log?: ProblemLog;
  /** Kysely's query log, for tests that record the SQL a unit of work runs. */
  readonly queryLog?: LogConfig;
}

/** The database could not be opened or migrated; the message says why and where. */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

// Opening may wait, synchronously and before the server listens, longer than
// the game's queries: another process starting on the same file holds the
// lock while it migrates.
const OPEN_WAIT_MS = 5000;

/**
 * Opens `path` (creating its folder), takes its lock, turns on WAL and
 * foreign keys, and runs pending migrations. Throws
 * {@linkcode DatabaseOpenError} when another server has the file, or when the
 * file isn't a database or can't be written.
 */
export async function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
): Promise<Kysely<Database>> {
  const memory = path === ":memory:";
  let lock: DatabaseLock | undefined;
  let sqlite: DatabaseSync;
  try {
    if (!memory) {
      Deno.mkdirSync(dirname(path), { recursive: true });
      const locked = lockDatabase(path);
      if (!locked.ok) {
        const pid = locked.pid ?? await lockHolder(locked.path);
        const holder = pid === undefined ? "" : ` (pid ${pid})`;
        throw new DatabaseOpenError(`database "${path}" is in use by another server${holder}`);
      }
      lock = locked.lock;
    }
    sqlite = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: OPEN_WAIT_MS });
  } catch (error) {
    lock?.release();
    if (error instanceof DatabaseOpenError) throw error;
    throw new DatabaseOpenError(`Cannot open database "${path}": ${errorMessage(error)}`);
  }
  let identity: FileIdentity | undefined;
  try {
    if (!memory) {
      await enableWal(sqlite, OPEN_WAIT_MS);
      identity = new FileIdentity(path);
    }
    sqlite.exec("pragma synchronous = normal");
    // The write lock proves the file is a database and can be written. It is held
    // through the migrations: Kysely runs SQLite migrations outside any transaction,
    // so this one makes them all-or-nothing and keeps another program opening
    // the same file from running them too.
    sqlite.exec("begin immediate");
  } catch (error) {
    sqlite.close();
    lock?.release();
    throw new DatabaseOpenError(`Cannot use database "${path}": ${errorMessage(error)}`);
  }
  const driver = new GuardedSqliteDriver(sqliteAdapter(sqlite), {
    identity,
    busyWaitMs: options.busyWaitMs,
    watchIntervalMs: options.watchIntervalMs,
    log: options.log,
    onClose: () => lock?.release(),
  });
  const db = new Kysely<Database>({ dialect: guardedSqliteDialect(driver), log: options.queryLog });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  try {
    if (error) throw error;
    sqlite.exec("commit");
    // SQLite's own wait for a lock would block the event loop; the driver
    // waits asynchronously instead.
    sqlite.exec("pragma busy_timeout = 0");
  } catch (error) {
    await db.destroy(); // closing rolls the migrations back and releases the lock
    throw new DatabaseOpenError(`Cannot migrate database "${path}": ${errorMessage(error)}`);
  }
  return db;
}

// SQLite answers SQLITE_BUSY at once, without its busy timeout, when another
// process holds a lock on a new file while this one switches it to WAL.
// Retry for as long as opening may wait.
async function enableWal(sqlite: DatabaseSync, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // A prepared statement's error carries SQLite's result code; `exec`'s doesn't.
      sqlite.prepare("pragma journal_mode = wal").get();
      return;
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
