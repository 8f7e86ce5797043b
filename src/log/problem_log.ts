/**
 * Where a part reports trouble: its category's LogTape logger, given by
 * whoever builds it, or in a test anything with the same two methods. The
 * message says what failed; the fields say where (round, connection,
 * player) and why (`error`, from `errorMessage()`).
 *
 * @module
 */

/** The part of a LogTape `Logger` a part reports trouble through. */
export interface ProblemLog {
  /** Something failed that should not have. */
  error(message: string, fields?: Record<string, unknown>): void;
  /** Something failed that the part works around (a peer gone, a retry under way). */
  warning(message: string, fields?: Record<string, unknown>): void;
}

/** Reports nothing: for a part whose trouble another part already tells. */
export const quietLog: ProblemLog = Object.freeze({ error() {}, warning() {} });
