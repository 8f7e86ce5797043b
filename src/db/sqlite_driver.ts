/**
 * Kysely's driver for `node:sqlite`, made for a game that must not stall.
 *
 * - `node:sqlite` is synchronous, so SQLite's own busy timeout would freeze
 *   the event loop (every player) while another process holds the write
 *   lock. Its timeout is 0; instead a statement that finds the database busy
 *   is retried after short, growing pauses (1, 2, 4 … 50 ms) for up to
 *   `busyWaitMs`, while the game goes on.
 * - Transactions begin with `begin immediate`: the write lock is taken (or
 *   waited for) up front, so a transaction never fails half-way on a lock.
 * - The database file is watched: deleted or replaced, every query is refused
 *   from then on, and a write that committed to the lost file is reported as
 *   failed, never as a success.
 * - SQLite errors that say the database can't be used (locked, full, I/O) are
 *   thrown as {@linkcode DatabaseUnavailableError}, naming the SQLite code;
 *   others (a constraint, a syntax error) are thrown as SQLite threw them.
 *
 * @module
 */

import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { NodeSqliteDatabase } from "./sqlite_adapter.ts";
import type { FileIdentity } from "./file_identity.ts";
import { DatabaseUnavailableError, isBusyError, isUnavailableError } from "./sqlite_errors.ts";
import { getLogger } from "@logtape/logtape";
import type { ProblemLog } from "../log/problem_log.ts";

/** Options of {@linkcode GuardedSqliteDriver}. */
export interface GuardedSqliteDriverOptions {
  /** The database file to watch; absent for `:memory:`. */
  readonly identity?: FileIdentity;
  /** How long a statement waits for another connection's lock, in ms (default 2000). */
  readonly busyWaitMs?: number;
  /** How often the file is checked while idle, in ms (default 1000). */
  readonly watchIntervalMs?: number;
  /** Where a deleted or replaced database is reported (default: the `clicker.database` logger). */
  readonly log?: ProblemLog;
  /** Runs once the database is closed. */
  readonly onClose?: () => void;
}

/** The longest pause between two tries of a busy statement (ms). */
const MAX_PAUSE_MS = 50;

// Statements that never write: no need to check the file after them.
const READ_ONLY = /^\s*(select|begin|rollback|savepoint|release|pragma|explain)\b/i;

/** Drives one `node:sqlite` connection for Kysely; see the module comment. */
export class GuardedSqliteDriver implements Driver {
  readonly #db: NodeSqliteDatabase;
  readonly #options: GuardedSqliteDriverOptions;
  readonly #busyWaitMs: number;
  readonly #mutex = new ConnectionMutex();
  readonly #connection: DatabaseConnection;
  #unavailable: DatabaseUnavailableError | undefined;
  #watch: ReturnType<typeof setInterval> | undefined;
  #destroyed = false;

  constructor(db: NodeSqliteDatabase, options: GuardedSqliteDriverOptions = {}) {
    this.#db = db;
    this.#options = options;
    this.#busyWaitMs = options.busyWaitMs ?? 2000;
    this.#connection = {
      executeQuery: (query) => this.#execute(query),
      streamQuery: (query) => this.#stream(query),
    };
  }

  /** Starts watching the file. */
  init(): Promise<void> {
    const identity = this.#options.identity;
    if (identity && this.#watch === undefined && !this.#destroyed) {
      let checking = false;
      const watch = setInterval(async () => {
        if (checking || this.#unavailable) return;
        checking = true;
        try {
          if (!(await identity.matches())) this.#vanished();
        } finally {
          checking = false;
        }
      }, this.#options.watchIntervalMs ?? 1000);
      // The watch alone must not keep the process alive.
      Deno.unrefTimer(watch);
      this.#watch = watch;
    }
    return Promise.resolve();
  }

  /** SQLite has one connection: callers take turns. */
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  /** Begins with the write lock taken, so no statement inside waits for it. */
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  /** Commits; a commit to a file deleted meanwhile throws. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  /** Rolls back (nothing happens when SQLite already did, see the adapter). */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  /** Lets the next caller in. */
  releaseConnection(): Promise<void> {
    this.#mutex.unlock();
    return Promise.resolve();
  }

  /** Stops the watch and closes the database. Safe to call twice. */
  destroy(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    this.#destroyed = true;
    clearInterval(this.#watch);
    try {
      this.#db.close();
    } finally {
      this.#options.onClose?.();
    }
    return Promise.resolve();
  }

  async #execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // A rollback still runs, so a transaction open when the file vanished ends.
    if (this.#unavailable && query.sql !== "rollback") throw this.#unavailable;
    const deadline = Date.now() + this.#busyWaitMs;
    for (let pause = 1;; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      const wasInTransaction = this.#db.inTransaction;
      try {
        const result = this.#run<R>(query);
        if (!this.#db.inTransaction && !READ_ONLY.test(query.sql)) this.#confirmFile();
        return result;
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) throw error;
        // A busy statement changed nothing and may run again, unless SQLite
        // ended the transaction around it.
        const retry = isBusyError(error) && this.#db.inTransaction === wasInTransaction &&
          Date.now() < deadline;
        if (!retry) throw isUnavailableError(error) ? DatabaseUnavailableError.from(error) : error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, deadline - Date.now())));
      if (this.#unavailable && query.sql !== "rollback") throw this.#unavailable;
    }
  }

  #run<R>(query: CompiledQuery): QueryResult<R> {
    const statement = this.#db.prepare(query.sql);
    if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(query.parameters);
    return {
      numAffectedRows: changes === undefined || changes === null ? undefined : BigInt(changes),
      insertId: lastInsertRowid === undefined || lastInsertRowid === null
        ? undefined
        : BigInt(lastInsertRowid),
      rows: [],
    };
  }

  async *#stream<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.#execute<R>(query);
    for (const row of rows) yield { rows: [row] };
  }

  /** After a write: throws when it went to a file the path no longer names. */
  #confirmFile(): void {
    const identity = this.#options.identity;
    if (identity && !identity.matchesSync()) this.#vanished();
    if (this.#unavailable) throw this.#unavailable;
  }

  #vanished(): void {
    if (this.#unavailable || this.#destroyed) return;
    const path = this.#options.identity?.path;
    this.#unavailable = new DatabaseUnavailableError(
      `database "${path}" was deleted or replaced while the server ran; it is no longer used`,
    );
    (this.#options.log ?? getLogger(["clicker", "database"])).error(
      "Database was deleted or replaced while the server ran: every query is refused from now on",
      { path },
    );
  }
}

/** Kysely's SQLite dialect, with `driver` in place of its own. */
export function guardedSqliteDialect(driver: GuardedSqliteDriver): Dialect {
  return {
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}

/** One holder at a time, in turn. */
class ConnectionMutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#held) await this.#held;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#held = promise;
    this.#release = resolve;
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}
