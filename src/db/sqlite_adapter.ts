/**
 * Lets Kysely's built-in `SqliteDialect` drive Deno's built-in `node:sqlite`.
 *
 * Kysely asks for a database with `prepare()` and `close()`, and statements
 * with `reader`, `all`, `run` and `iterate` taking an array of parameters;
 * `node:sqlite` takes parameters spread and has no booleans, so this adapter
 * spreads them and turns booleans into 0 and 1. Prepared statements are kept
 * by their SQL, since the game runs the same few queries over and over.
 *
 * @module
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

const CACHE_LIMIT = 200;

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

/** Wraps an open `DatabaseSync` as the database Kysely's `SqliteDialect` expects. */
export function sqliteAdapter(database: DatabaseSync): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = new Statement(database.prepare(sql));
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
