/**
 * A TCP proxy on 127.0.0.1 in front of a test server, to break connections
 * the way a network does: hold back what the server sends, cut every
 * connection without a close, or refuse new ones for a while.
 *
 * @module
 */

import net from "node:net";

/** A running proxy. */
export interface TcpProxy {
  /** `http://127.0.0.1:PORT/`, standing for the server. */
  readonly url: string;
  /** Connections passing through now. */
  readonly connections: number;
  /** Keeps what the server sends from reaching the client until {@linkcode cut}. */
  holdDownstream(): void;
  /** Destroys every connection on both sides (what was held back is lost). */
  cut(): void;
  /** While true, new connections are accepted and destroyed at once. */
  refusing: boolean;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

/** Options of {@linkcode startTcpProxy}. */
export interface TcpProxyOptions {
  /** Answer every WebSocket upgrade with 403, as some proxies do (default false). */
  readonly refuseWebSockets?: boolean;
}

const REFUSED = "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

/** Starts a proxy to the server at `target` (`http://host:port/`). */
export async function startTcpProxy(
  target: string,
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<[net.Socket, net.Socket]>();
  let holding = false;
  const proxy: TcpProxy = {
    url: "",
    refusing: false,
    get connections() {
      return pairs.size;
    },
    holdDownstream() {
      holding = true;
    },
    cut() {
      holding = false;
      for (const [client, server] of pairs) {
        client.resetAndDestroy();
        server.resetAndDestroy();
      }
      pairs.clear();
    },
    close() {
      proxy.cut();
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
  const listener = net.createServer((client) => {
    if (proxy.refusing) {
      client.resetAndDestroy();
      return;
    }
    const server = net.connect({ host: hostname, port: Number(port) });
    const pair: [net.Socket, net.Socket] = [client, server];
    pairs.add(pair);
    client.on("data", (chunk: Uint8Array) => {
      // A request head arrives in one piece on loopback.
      if (options.refuseWebSockets && /^upgrade:\s*websocket/im.test(latin1(chunk))) {
        client.end(REFUSED);
        server.destroy();
        return;
      }
      server.write(chunk);
    });
    server.on("data", (chunk: Uint8Array) => {
      if (!holding) client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    for (const socket of pair) {
      socket.on("error", end);
      socket.on("close", end);
    }
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port: own } = listener.address() as net.AddressInfo;
  return Object.assign(proxy, { url: `http://127.0.0.1:${own}/` });
}

function latin1(chunk: Uint8Array): string {
  return String.fromCharCode(...chunk.subarray(0, 4096));
}
