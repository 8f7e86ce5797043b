/**
 * PostgreSQL failures, told apart by SQLSTATE rather than English text: a
 * row that collides with one already there, and the failures that say the
 * server can't be used now (unreachable, shutting down, out of connections),
 * which become the same `DatabaseUnavailableError` SQLite's troubles do, so
 * HTTP answers them with 503.
 *
 * @module
 */

import { DatabaseUnavailableError } from "../sqlite_errors.ts";
import { errorMessage } from "../../log/error_message.ts";

/** SQLSTATE of a unique or primary-key violation. */
const UNIQUE_VIOLATION = "23505";

/** SQLSTATE classes and codes that say the server, not the query, is the trouble. */
const UNAVAILABLE_CLASSES = ["08", "53", "57P"]; // connection, resources, operator intervention

/** Node's error codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether `error` is PostgreSQL refusing a row that collides with one already there. */
export function isPostgresUniqueError(error: unknown): boolean {
  return codeOf(error) === UNIQUE_VIOLATION;
}

/**
 * Whether `error` says PostgreSQL can't serve queries now, whatever the
 * query: no connection, a lost one, a timeout, a server going down.
 */
export function isPostgresUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    return NETWORK_CODES.has(code) || UNAVAILABLE_CLASSES.some((c) => code.startsWith(c));
  }
  // `pg` reports a lost connection or a timeout with a plain Error and no code.
  const message = errorMessage(error);
  return /Connection terminated|connection timeout|timeout exceeded|Client has encountered a connection error|Connection closed/i
    .test(message);
}

/** `error` as a `DatabaseUnavailableError` when it is one, otherwise unchanged. */
export function translatePostgresError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isPostgresUnavailable(error)) return error;
  const text = errorMessage(error) || "unknown error";
  const code = codeOf(error);
  const message = code === undefined || text.includes(code)
    ? `PostgreSQL: ${text}`
    : `PostgreSQL: ${text} (${code})`;
  return new DatabaseUnavailableError(message, { cause: error });
}
