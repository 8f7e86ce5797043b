/**
 * Sets up where log lines go: every logger under the `clicker` category
 * writes one line per event to standard error, as text or JSON, from the
 * configured level up. Standard output keeps only the `Listening on` line.
 *
 * Until this runs (in tests that start the server in process) log calls
 * cost a check and write nothing.
 *
 * @module
 */

import { configureSync, type LogLevel, type LogRecord, resetSync } from "@logtape/logtape";
import { formatLogLine, type LogFormat, type LogLevelName } from "./log_line.ts";

/** Options of {@linkcode setUpLogging}. */
export interface LoggingOptions {
  /** `text` or `json` (default `text`). */
  readonly format?: LogFormat;
  /** The lowest level written (default `info`). */
  readonly level?: LogLevelName;
  /** This server's name, on every line. */
  readonly serverId: string;
  /** Where each line goes, end of line included (default: standard error). */
  readonly write?: (line: string) => void;
}

/** Sends every `clicker` logger's records to one sink; call once, at start. */
export function setUpLogging(options: LoggingOptions): void {
  const format = options.format ?? "text";
  const write = options.write ?? writeToStderr;
  const sink = (record: LogRecord) => write(formatLogLine(record, format, options.serverId) + "\n");
  configureSync({
    reset: true,
    sinks: { out: sink },
    loggers: [
      { category: ["clicker"], lowestLevel: (options.level ?? "info") as LogLevel, sinks: ["out"] },
      // LogTape's notes about itself (a sink that threw) only when they matter.
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
}

/** Stops writing log lines (tests call it after {@linkcode setUpLogging}). */
export function tearDownLogging(): void {
  resetSync();
}

const encoder = new TextEncoder();

/** Writes `line` whole, synchronously: the last lines before an exit are not lost. */
function writeToStderr(line: string): void {
  const bytes = encoder.encode(line);
  let written = 0;
  try {
    while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
  } catch {
    // Standard error is closed (the reader went away): there is nowhere left to tell.
  }
}
