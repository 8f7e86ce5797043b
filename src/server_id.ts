/**
 * A name for this server when `SERVER_ID` gives none: the process id and a
 * random part, so two servers started together on one host never share one.
 *
 * @module
 */

/** A new server name, like `s4242-1a2b3c4d`. */
export function newServerId(): string {
  return `s${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}
