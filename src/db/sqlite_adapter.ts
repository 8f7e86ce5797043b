/**
 * Lets Kysely's built-in `SqliteDialect` drive Deno's built-in `node:sqlite`.
 *
 * Kysely asks for a database with `prepare()` and `close()`, and statements
 * with `reader`, `all`, `run` and `iterate` taking an array of parameters;
 * `node:sqlite` takes parameters spread and has no booleans, so this adapter
 * spreads them and turns booleans into 0 and 1. Prepared statements are kept
 * by their SQL, since the game runs the same few queries over and over.
 *
 * SQLite rolls a transaction back by itself when a commit hits a full disk or
 * an I/O error; Kysely then sends `rollback`, which would fail with "cannot
 * rollback - no transaction is active" and hide the real error. Here a
 * `rollback` outside a transaction does nothing.
 *
 * @module
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** The database Kysely's `SqliteDialect` expects, plus whether a transaction is open. */
export interface NodeSqliteDatabase extends SqliteDatabase {
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: boolean;
}

const CACHE_LIMIT = 200;
const ROLLBACK = /^\s*rollback\s*;?\s*$/i;

function bind(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;

  constructor(statement: StatementSync) {
    this.#statement = statement;
    this.reader = statement.columns().length > 0;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#statement.all(...bind(parameters));
  }

  run(
    parameters: ReadonlyArray<unknown>,
  ): { changes: number | bigint; lastInsertRowid: number | bigint } {
    const { changes, lastInsertRowid } = this.#statement.run(...bind(parameters));
    return { changes, lastInsertRowid };
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#statement.iterate(...bind(parameters));
  }
}

/** A `rollback` that does nothing when SQLite has already rolled the transaction back. */
class Rollback extends Statement {
  readonly #database: DatabaseSync;

  constructor(database: DatabaseSync, statement: StatementSync) {
    super(statement);
    this.#database = database;
  }

  override run(
    parameters: ReadonlyArray<unknown>,
  ): { changes: number | bigint; lastInsertRowid: number | bigint } {
    if (!this.#database.isTransaction) return { changes: 0, lastInsertRowid: 0 };
    return super.run(parameters);
  }
}

/** Wraps an open `DatabaseSync` as the database Kysely's `SqliteDialect` expects. */
export function sqliteAdapter(database: DatabaseSync): NodeSqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    get inTransaction(): boolean {
      return database.isOpen && database.isTransaction;
    },
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        const prepared = database.prepare(sql);
        statement = ROLLBACK.test(sql) ? new Rollback(database, prepared) : new Statement(prepared);
        if (statements.size >= CACHE_LIMIT) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
    close(): void {
      statements.clear();
      if (database.isOpen) database.close();
    },
  };
}
