/**
 * Turns whatever was thrown into the text a log line or a response shows:
 * an error's message, or the thrown value itself; and, for a bug, where it
 * was thrown. Pure; no I/O.
 *
 * @module
 */

/** The message of `error`, or `String(error)` when it is not an `Error`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/** The stack of `error` when it is an `Error` that has one: logged beside the message for a bug. */
export function errorStack(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
