/**
 * SQLite failures, sorted once into kinds by their result code rather than
 * their English text, and the error the database layer throws when it cannot
 * serve a query for a reason outside the query itself (a lock, a full disk,
 * an I/O error, a file deleted under the server).
 *
 * `node:sqlite` puts the extended result code on the errors of prepared
 * statements as `errcode`; the primary code is its low byte.
 *
 * @module
 */

import { errorMessage } from "../log/error_message.ts";

/** Primary SQLite result codes this server tells apart. */
export const SqliteCode = {
  ERROR: 1,
  BUSY: 5,
  LOCKED: 6,
  NOMEM: 7,
  READONLY: 8,
  IOERR: 10,
  CORRUPT: 11,
  FULL: 13,
  CANTOPEN: 14,
  CONSTRAINT: 19,
  NOTADB: 26,
} as const;

/** Extended codes of `SQLITE_CONSTRAINT` that say a row collides with one already there. */
const COLLISIONS = new Set<number>([
  1555, // SQLITE_CONSTRAINT_PRIMARYKEY
  2067, // SQLITE_CONSTRAINT_UNIQUE
]);

const NAMES = new Map<number, string>(
  Object.entries(SqliteCode).map(([name, code]) => [code, `SQLITE_${name}`]),
);

/** Codes other than a lock that say the database can't be used now, whatever the query. */
const UNAVAILABLE = new Set<number>([
  SqliteCode.NOMEM,
  SqliteCode.READONLY,
  SqliteCode.IOERR,
  SqliteCode.CORRUPT,
  SqliteCode.FULL,
  SqliteCode.CANTOPEN,
  SqliteCode.NOTADB,
]);

/** The extended result code carried by a `node:sqlite` error, if any. */
export function sqliteErrorCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { errcode?: unknown }).errcode;
  return typeof code === "number" ? code : undefined;
}

/** The primary result code (e.g. 10 for every `SQLITE_IOERR_*`), if any. */
export function sqlitePrimaryCode(error: unknown): number | undefined {
  const code = sqliteErrorCode(error);
  return code === undefined ? undefined : code & 0xff;
}

/** The name of a primary code, such as `SQLITE_FULL`, or `SQLITE_ERROR(n)` for others. */
export function sqliteCodeName(code: number): string {
  return NAMES.get(code & 0xff) ?? `SQLITE_ERROR(${code})`;
}

/**
 * What a SQLite error says, as callers act on it:
 * - `unique`: the row collides with one already there (a UNIQUE or PRIMARY KEY constraint);
 * - `constraint`: another constraint refused the row (NOT NULL, CHECK, FOREIGN KEY, a trigger);
 * - `busy`: another connection holds a lock this one needs (`SQLITE_BUSY`, `SQLITE_LOCKED`);
 * - `unavailable`: the database can't be used now (full, read-only, I/O, corrupt...);
 * - `other`: a SQLite error the query itself caused, such as a syntax error.
 */
export type SqliteErrorKind = "unique" | "constraint" | "busy" | "unavailable" | "other";

/** Sorts a SQLite error into its {@linkcode SqliteErrorKind}; `undefined` for other errors. */
export function sqliteErrorKind(error: unknown): SqliteErrorKind | undefined {
  const code = sqliteErrorCode(error);
  if (code === undefined) return undefined;
  const primary = code & 0xff;
  if (primary === SqliteCode.CONSTRAINT) return COLLISIONS.has(code) ? "unique" : "constraint";
  if (primary === SqliteCode.BUSY || primary === SqliteCode.LOCKED) return "busy";
  return UNAVAILABLE.has(primary) ? "unavailable" : "other";
}

/** Whether another connection holds a lock this one needs (`SQLITE_BUSY`, `SQLITE_LOCKED`). */
export function isBusyError(error: unknown): boolean {
  return sqliteErrorKind(error) === "busy";
}

/** Whether the error says the database can't be used now, rather than that the query is wrong. */
export function isUnavailableError(error: unknown): boolean {
  const kind = sqliteErrorKind(error);
  return kind === "busy" || kind === "unavailable";
}

/** Whether the row collides with one already there (a UNIQUE or PRIMARY KEY constraint). */
export function isUniqueError(error: unknown): boolean {
  return sqliteErrorKind(error) === "unique";
}

/** Options of {@linkcode DatabaseUnavailableError}. */
export interface DatabaseUnavailableOptions {
  /** The SQLite error behind it, if any. */
  readonly cause?: unknown;
  /** Its extended SQLite result code, if any. */
  readonly code?: number;
}

/**
 * The database can't serve queries now: locked past the wait, full, failing
 * I/O, or deleted or replaced while the server ran. HTTP answers it with 503.
 */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  /** The extended SQLite result code, when SQLite reported the trouble. */
  readonly code: number | undefined;

  constructor(message: string, options: DatabaseUnavailableOptions = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }

  /** Wraps a SQLite error, keeping its own words and naming its code. */
  static from(error: unknown): DatabaseUnavailableError {
    const code = sqliteErrorCode(error);
    const text = errorMessage(error);
    const message = code === undefined ? text : `${text} (${sqliteCodeName(code)})`;
    return new DatabaseUnavailableError(message, { cause: error, code });
  }
}
