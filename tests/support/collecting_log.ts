/**
 * A `ProblemLog` for tests: keeps what a part reports, each record with its
 * level, message and fields, so a test can check what was said and that a
 * secret was not.
 *
 * @module
 */

import type { ProblemLog } from "../../src/log/problem_log.ts";

/** One record a part reported. */
export interface Reported {
  readonly level: "error" | "warning";
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** Keeps every record reported to it, in order. */
export class CollectingLog implements ProblemLog {
  /** Every record so far. */
  readonly records: Reported[] = [];

  error(message: string, fields: Record<string, unknown> = {}): void {
    this.records.push({ level: "error", message, fields });
  }

  warning(message: string, fields: Record<string, unknown> = {}): void {
    this.records.push({ level: "warning", message, fields });
  }

  /** Each record as one line: its message, then its fields as JSON. */
  get lines(): string[] {
    return this.records.map((r) => `${r.message} ${JSON.stringify(r.fields)}`);
  }
}
