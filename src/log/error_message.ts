/**
 * Turns whatever was thrown into the text a log line or a response shows:
 * an error's message, or the thrown value itself. Pure; no I/O.
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
