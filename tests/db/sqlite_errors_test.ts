import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  DatabaseUnavailableError,
  isBusyError,
  isUnavailableError,
  isUniqueError,
  sqliteCodeName,
  sqliteErrorCode,
  sqliteErrorKind,
  sqlitePrimaryCode,
} from "../../src/db/sqlite_errors.ts";

/** What node:sqlite throws: an Error with `errcode` (extended) and `errstr`. */
function sqliteError(errcode: number, message: string): Error {
  return Object.assign(new Error(message), { code: "ERR_SQLITE_ERROR", errcode, errstr: message });
}

Deno.test("sqliteErrorCode() reads node:sqlite's extended code from a real error", () => {
  const db = new DatabaseSync(":memory:");
  try {
    db.exec("create table t (x unique)");
    db.exec("insert into t values (1)");
    let caught: unknown;
    try {
      db.prepare("insert into t values (1)").run();
    } catch (error) {
      caught = error;
    }
    assert.equal(sqliteErrorCode(caught), 2067, "SQLITE_CONSTRAINT_UNIQUE");
    assert.equal(sqlitePrimaryCode(caught), 19);
    assert.equal(isUnavailableError(caught), false, "a constraint is the query's fault");
  } finally {
    db.close();
  }
});

Deno.test("isBusyError() and isUnavailableError() classify by code, extended codes included", () => {
  const busySnapshot = sqliteError(517, "database is locked"); // SQLITE_BUSY_SNAPSHOT
  const ioWrite = sqliteError(778, "disk I/O error"); // SQLITE_IOERR_WRITE
  const full = sqliteError(13, "database or disk is full");
  const locked = sqliteError(6, "database table is locked");
  assert.equal(isBusyError(busySnapshot), true);
  assert.equal(isBusyError(locked), true);
  assert.equal(isBusyError(full), false);
  for (const error of [busySnapshot, ioWrite, full, locked]) {
    assert.equal(isUnavailableError(error), true, error.message);
  }
  // The words don't matter, the code does.
  assert.equal(isBusyError(new Error("database is locked")), false);
  assert.equal(isUnavailableError(sqliteError(1, "database or disk is full")), false);
  assert.equal(sqliteErrorCode("not an error"), undefined);
});

Deno.test("sqliteCodeName() names primary codes, extended ones by their primary", () => {
  assert.equal(sqliteCodeName(13), "SQLITE_FULL");
  assert.equal(sqliteCodeName(778), "SQLITE_IOERR");
  assert.equal(sqliteCodeName(5), "SQLITE_BUSY");
  assert.equal(sqliteCodeName(99), "SQLITE_ERROR(99)");
});

Deno.test("DatabaseUnavailableError.from() keeps SQLite's words, names the code and keeps the cause", () => {
  const cause = sqliteError(13, "database or disk is full");
  const error = DatabaseUnavailableError.from(cause);
  assert.equal(error.message, "database or disk is full (SQLITE_FULL)");
  assert.equal(error.code, 13);
  assert.equal(error.cause, cause);
  assert.equal(error.name, "DatabaseUnavailableError");
});

/** The error SQLite throws for `statement` on a database set up by `setup`. */
function failure(setup: string, statement: string): unknown {
  const db = new DatabaseSync(":memory:");
  try {
    db.exec(setup);
    db.prepare(statement).run();
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
  throw new Error(`"${statement}" did not fail`);
}

Deno.test("sqliteErrorKind() sorts real SQLite errors by their code", () => {
  const table = "create table t (id integer primary key, x unique, y not null check (y > 0));";
  assert.equal(
    sqliteErrorKind(
      failure(table + "insert into t values (1, 1, 1)", "insert into t values (2, 1, 1)"),
    ),
    "unique",
  );
  assert.equal(
    sqliteErrorKind(
      failure(table + "insert into t values (1, 1, 1)", "insert into t values (1, 2, 1)"),
    ),
    "unique",
    "a primary key collision",
  );
  assert.equal(sqliteErrorKind(failure(table, "insert into t values (1, 1, null)")), "constraint");
  assert.equal(sqliteErrorKind(failure(table, "insert into t values (1, 1, -1)")), "constraint");
  assert.equal(
    sqliteErrorKind(failure(
      table + "create trigger no before insert on t begin select raise(abort, 'no'); end;",
      "insert into t values (1, 1, 1)",
    )),
    "constraint",
  );
  assert.equal(sqliteErrorKind(failure(table, "insert into nowhere values (1)")), "other");
});

Deno.test("sqliteErrorKind() reads the code, never the words", () => {
  assert.equal(sqliteErrorKind(sqliteError(517, "database is locked")), "busy");
  assert.equal(sqliteErrorKind(sqliteError(6, "database table is locked")), "busy");
  assert.equal(sqliteErrorKind(sqliteError(13, "database or disk is full")), "unavailable");
  assert.equal(sqliteErrorKind(sqliteError(2067, "something else entirely")), "unique");
  assert.equal(sqliteErrorKind(sqliteError(19, "UNIQUE constraint failed: t.x")), "constraint");
  assert.equal(sqliteErrorKind(new Error("UNIQUE constraint failed: t.x")), undefined);
  assert.equal(isUniqueError(sqliteError(1555, "")), true);
  assert.equal(isUniqueError(new Error("UNIQUE constraint failed: players.username")), false);
});
