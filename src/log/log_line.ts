/**
 * One log record as one line of text, for people (`text`) or for machines
 * (`json`, one object per line). Pure; no I/O.
 *
 * A message is shown as written: fields never fill `{placeholders}`, so an
 * error message with braces in it comes out whole.
 *
 * @module
 */

import type { LogRecord } from "@logtape/logtape";

/** How log lines are written: `text` for people, `json` for log collectors. */
export type LogFormat = "text" | "json";

/** The levels `LOG_LEVEL` accepts, lowest first. */
export const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;

/** One of {@linkcode LOG_LEVELS}. */
export type LogLevelName = typeof LOG_LEVELS[number];

/** The message of `record` as its caller wrote it. */
function messageOf(record: LogRecord): string {
  const raw = record.rawMessage;
  return typeof raw === "string" ? raw : record.message.map(String).join("");
}

/** A field value as JSON can hold it: errors by message, big integers as text. */
function plain(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * `record` as one line without its end of line: ISO time, level, server id,
 * category, message, then the event's fields.
 */
export function formatLogLine(record: LogRecord, format: LogFormat, serverId: string): string {
  const time = new Date(record.timestamp).toISOString();
  const category = record.category.join(".");
  const message = messageOf(record);
  if (format === "json") {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record.properties)) fields[key] = plain(value);
    return JSON.stringify({
      time,
      level: record.level,
      serverId,
      category,
      message,
      ...fields,
    }, (_, value) => typeof value === "bigint" ? value.toString() : value);
  }
  let line = `${time} ${record.level.toUpperCase().padEnd(7)} ${serverId} ${category}: ${message}`;
  for (const [key, value] of Object.entries(record.properties)) {
    if (value === undefined) continue;
    line += ` ${key}=${textValue(plain(value))}`;
  }
  return line;
}

/** A field value in a text line: bare when it is one plain word, else as JSON. */
function textValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  if (typeof value === "string" && /^[\w.:/@+-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}
