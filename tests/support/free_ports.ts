/**
 * Ports for what a test starts on 127.0.0.1 when the program can't take
 * port 0 itself (Redis, PostgreSQL, nginx, Prometheus).
 *
 * @module
 */

/** `count` distinct ports that were free a moment ago. */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}
