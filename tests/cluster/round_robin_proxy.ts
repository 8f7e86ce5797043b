/**
 * A load balancer for tests, without sticky sessions: each TCP connection
 * goes to the next server in turn, so a client's negotiate and its WebSocket
 * land on different servers.
 *
 * @module
 */

/** A running proxy. */
export interface RoundRobinProxy {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** Which server each connection went to, in order (indexes into the ports). */
  readonly picks: number[];
  close(): void;
}

/** Listens on a free port and spreads connections over `ports` in turn. */
export function roundRobinProxy(ports: readonly number[]): RoundRobinProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const picks: number[] = [];
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const client of listener) {
      const pick = picks.length % ports.length;
      picks.push(pick);
      open.add(client);
      Deno.connect({ hostname: "127.0.0.1", port: ports[pick] }).then((server) => {
        open.add(server);
        const done = () => {
          open.delete(client);
          open.delete(server);
          for (const conn of [client, server]) {
            try {
              conn.close();
            } catch { /* closed already */ }
          }
        };
        Promise.allSettled([
          client.readable.pipeTo(server.writable),
          server.readable.pipeTo(client.writable),
        ]).then(done);
      }, () => client.close());
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    picks,
    close() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* closed already */ }
      }
    },
  };
}
