/**
 * Where a part reports trouble when its caller gave it nowhere else: the
 * `clicker` logger, at level error. Parts take a `logError` option so tests
 * can collect what they report; this is its default.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";

const log = getLogger(["clicker"]);

/** Logs `message` and its fields at level error. */
export function logUnexpected(message: string, fields?: Record<string, unknown>): void {
  log.error(message, fields);
}
