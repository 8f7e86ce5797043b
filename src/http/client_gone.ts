/**
 * Whether an error only says that the other end went away (a client, or a
 * proxy, closed its connection while an answer was being written): that is
 * how connections end, above all while the server shuts down, not a fault
 * to report. Pure; no I/O.
 *
 * @module
 */

const GONE_CODES = new Set([
  "EPIPE",
  "ECONNRESET",
  "ECONNABORTED",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_STREAM_WRITE_AFTER_END",
]);

/** True when `error` means the peer closed the connection, whatever layer noticed. */
export function isClientGone(error: unknown): boolean {
  if (error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset) {
    return true;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && GONE_CODES.has(code);
}
