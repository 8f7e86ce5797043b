/**
 * The last guard of the process: a promise rejected with nobody to handle
 * it would end it (Deno's default), and with it every player's game. Each
 * one is logged on one line, with the error's message and stack, and the
 * server goes on serving.
 *
 * @module
 */

/**
 * Logs every unhandled rejection of the process with `log` and keeps the
 * process running; returns a function that stops listening.
 */
export function keepServingOnUnhandledRejection(
  log: (line: string) => void = console.error,
): () => void {
  const listener = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    log(`clicker: unhandled rejection, still serving: ${describeReason(event.reason)}`);
  };
  globalThis.addEventListener("unhandledrejection", listener);
  return () => globalThis.removeEventListener("unhandledrejection", listener);
}

/** A rejection's reason on one line: an error's stack (its message first), else the value. */
export function describeReason(reason: unknown): string {
  const text = reason instanceof Error
    ? reason.stack ?? `${reason.name}: ${reason.message}`
    : typeof reason === "string"
    ? reason
    : Deno.inspect(reason, { depth: 2 });
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" | ");
}
