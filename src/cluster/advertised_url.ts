/**
 * Where the other servers reach this one: `ADVERTISE_URL` when set, else
 * the address it listens on, with 127.0.0.1 for a wildcard (`0.0.0.0`,
 * `::`), which suits servers on one machine. Pure; no I/O.
 *
 * @module
 */

/** The origin other servers relay requests to, e.g. `http://127.0.0.1:8001`. */
export function advertisedUrl(
  configured: string | undefined,
  hostname: string,
  port: number,
): string {
  if (configured !== undefined) return configured;
  const wildcard = hostname === "" || hostname === "0.0.0.0" || hostname === "::" ||
    hostname === "[::]";
  const host = wildcard
    ? "127.0.0.1"
    : hostname.includes(":") && !hostname.startsWith("[")
    ? `[${hostname}]`
    : hostname;
  return new URL(`http://${host}:${port}`).origin;
}
