/**
 * The one place where connections are accepted: a `node:http` server that
 * hands every request to a fetch handler (the Hono application) and every
 * WebSocket upgrade to the same handler with a way to take the socket.
 *
 * It exists to bound what a client can cost before it has proved anything:
 *
 * - open connections are capped, below the process's file limit so accepting
 *   never fails; over the cap the oldest connection that hasn't finished
 *   sending a request (its head, or its body: still arriving) is shed, else
 *   the oldest idle between requests, and only when there is none is the
 *   new one refused. A request that has arrived whole is never shed while it
 *   is answered, however long that takes (a long poll, an event stream), nor
 *   is a WebSocket;
 * - a connection that hasn't sent a whole request head within a few seconds,
 *   or a whole request soon after, is closed, and so is one idle between
 *   requests; a response the handler marks as a long-lived stream (an event
 *   stream, a long poll) is exempt from the whole-request time once its
 *   request has arrived, and lasts as long as its client;
 * - the accept loop is watched: when it stops taking connections (the kernel
 *   ran out of file descriptors for a moment) the server listens again.
 *
 * @module
 */

import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net, { type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { BadRequestError, toRequest, writeRawResponse, writeResponse } from "./fetch_bridge.ts";
import { getLogger } from "@logtape/logtape";
import type { ProblemLog } from "../log/problem_log.ts";
import { isClientGone } from "./client_gone.ts";
import { errorMessage, errorStack } from "../log/error_message.ts";
import { type Sleep, timerSleep } from "../sleep.ts";

/** A WebSocket upgrade request whose socket the handler may take over. */
export interface UpgradeRequest {
  readonly request: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Uint8Array;
  /** Claims the socket: the server then writes no response to it. */
  take(): void;
}

/** What the fetch handler receives besides the request (Hono's `c.env`). */
export interface ServeEnv {
  readonly remoteAddr: { readonly hostname: string; readonly port: number };
  /** Present for WebSocket upgrade requests only. */
  readonly upgrade?: UpgradeRequest;
  /**
   * Marks the response as a long-lived stream (Server-Sent Events, a long
   * poll): once the request has arrived whole, its connection is no longer
   * closed for taking longer than the request timeout. It still counts
   * against the cap and is never shed; it ends with its response or its
   * client. A request whose body is still arriving stays timed. Absent for
   * upgrade requests.
   */
  readonly stream?: () => void;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  readonly hostname: string;
  readonly port: number;
  /** Answers a request. */
  readonly fetch: (request: Request, env: ServeEnv) => Response | Promise<Response>;
  /** Open connections at most (clamped under the file limit). */
  readonly maxConnections: number;
  /** Time to send a whole request head, in ms (default 5000). */
  readonly headersTimeoutMs?: number;
  /** Time to send a whole request, in ms (default 10,000). */
  readonly requestTimeoutMs?: number;
  /** How long a connection may sit idle between requests, in ms (default 5000). */
  readonly keepAliveTimeoutMs?: number;
  /** Where unexpected errors go (default: the `clicker.http` logger). */
  readonly log?: ProblemLog;
  /** The clock the timeouts above count on (default `Date.now`); tests move it on. */
  readonly now?: () => number;
  /** The wait between two looks for connections past their time (default a plain timer). */
  readonly sleep?: Sleep;
}

/** A listening server. */
export interface Served {
  readonly hostname: string;
  readonly port: number;
  /** The cap in force, after clamping under the file limit. */
  readonly maxConnections: number;
  /** Connections open now. */
  readonly connections: number;
  /** Connections shed or refused over the cap so far. */
  readonly shed: number;
  /**
   * Stops accepting, closes idle and unfinished connections, waits up to
   * `drainMs` for requests and sockets in flight, then destroys the rest.
   */
  close(drainMs: number): Promise<void>;
}

/**
 * Descriptors kept free under the file limit: the runtime, the database and
 * workers hold a few dozen, and the kernel's accept queue is taken in one
 * burst before a connection over the cap can be refused. A quarter of the
 * limit, from 128 to 1024.
 */
function fileReserve(limit: number): number {
  return Math.min(1024, Math.max(128, Math.floor(limit / 4)));
}

/** How often the accept loop is checked when no connection came in. */
const WATCH_MS = 2000;
/**
 * How often expired connections are looked for: a tenth of a second late at
 * most, for limits of seconds, and an idle server wakes 10 times a second
 * for it rather than 100.
 */
const SWEEP_MS = 100;
/** How soon the next sweep comes when one closed all it may: expiries pile up. */
const SWEEP_BUSY_MS = 10;
/**
 * Connections closed at most per sweep (8,000 a second while they pile up),
 * so a mass expiry never stalls the game: each close costs the game's thread
 * tens of microseconds of system calls.
 */
const SWEEP_BATCH = 80;

/**
 * Where a connection is: `waiting` for a whole request head, `receiving` a
 * request's body, `active` answering a request that has arrived whole,
 * `streaming` a long-lived response (exempt from the request time), `idle`
 * between requests, or `upgraded` to a WebSocket.
 */
type State = "waiting" | "receiving" | "active" | "streaming" | "idle" | "upgraded";

/** Starts a server and resolves once it listens. */
export async function serve(options: ServeOptions): Promise<Served> {
  const log = options.log ?? getLogger(["clicker", "http"]);
  const limit = fileLimit();
  const reserve = limit === undefined ? 1024 : fileReserve(limit);
  const maxConnections = limit === undefined
    ? options.maxConnections
    : Math.max(16, Math.min(options.maxConnections, limit - reserve));
  // The kernel's accept queue, accepted in one burst: half the reserve.
  const backlog = Math.floor(reserve / 2);
  const headersTimeoutMs = options.headersTimeoutMs ?? 5000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const states = new Map<Socket, State>();
  // Connections by state, each with when it entered that state: a Map keeps
  // insertion order, so each is sorted oldest first, which is the order
  // they are shed and timed out in.
  const waiting = new Map<Socket, number>();
  // Every request in progress, by when it began, whether its body is still
  // arriving or not: the whole request's time counts from its start.
  const active = new Map<Socket, number>();
  // Those of them whose body is still arriving, with their request.
  const receiving = new Map<Socket, { since: number; request: IncomingMessage }>();
  const idle = new Map<Socket, number>();
  let shed = 0;
  let lastAccept = Date.now();
  let probe: Socket | undefined;

  // Set by close(): resolved once the last connection is gone.
  let drained: PromiseWithResolvers<void> | undefined;

  const forget = (socket: Socket) => {
    states.delete(socket);
    waiting.delete(socket);
    active.delete(socket);
    receiving.delete(socket);
    idle.delete(socket);
    if (drained !== undefined && states.size === 0) drained.resolve();
  };

  const setState = (socket: Socket, state: State) => {
    const was = states.get(socket);
    if (was === undefined) return;
    if (was === "waiting") socket.setNoDelay(true);
    forget(socket);
    states.set(socket, state);
    if (state === "waiting") waiting.set(socket, now());
    else if (state === "active") active.set(socket, now());
    else if (state === "idle") idle.set(socket, now());
    // Closing: a connection whose request is answered has nothing left to wait for.
    if (drained !== undefined && state === "idle") socket.destroy();
  };

  // A request's body starts to arrive; it counts as active too, from now.
  const receive = (socket: Socket, request: IncomingMessage) => {
    setState(socket, "active");
    if (states.get(socket) !== "active") return;
    states.set(socket, "receiving");
    receiving.set(socket, { since: now(), request });
  };

  // The whole body is in: the request stays active, with its start kept.
  const received = (socket: Socket, request: IncomingMessage) => {
    if (receiving.get(socket)?.request !== request) return;
    states.set(socket, "active");
    receiving.delete(socket);
  };

  // The oldest connection still sending a request, head or body, but not
  // `newest` (the one just accepted). A body found whole is moved to active.
  const oldestUnfinished = (newest: Socket): Socket | undefined => {
    for (const [socket, { since, request }] of receiving) {
      if (request.complete) {
        received(socket, request);
        continue;
      }
      const head = first(waiting);
      return head !== undefined && head !== newest && waiting.get(head)! < since ? head : socket;
    }
    const head = first(waiting);
    return head === newest ? undefined : head;
  };

  const server = http.createServer({
    // Request timeouts are enforced by the sweep below, which closes a bounded
    // number of connections per turn: the runtime's own check closes every
    // expired connection at once, and ten thousand of them stalled the game
    // for most of a second. Its own check stays as a backstop. The keep-alive
    // timeout is announced to clients, so it stays the runtime's.
    headersTimeout: headersTimeoutMs * 2,
    requestTimeout: requestTimeoutMs * 2,
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionsCheckingInterval: 5000,
    maxHeaderSize: 16 * 1024,
    // Set per connection once it has sent a whole request (see setState):
    // connections that never do, an attacker's, cost no system call for it.
    noDelay: false,
  });

  server.on("connection", (socket: Socket) => {
    lastAccept = Date.now();
    if (drained !== undefined) {
      // Accepted just before the listener closed: it gets no request answered.
      socket.destroy();
      return;
    }
    if (probe !== undefined && socket.remotePort === probe.localPort) {
      socket.destroy();
      return;
    }
    states.set(socket, "waiting");
    waiting.set(socket, now());
    socket.once("close", () => forget(socket));
    if (states.size > maxConnections) {
      // Forgotten at once: its descriptor is freed a moment later, and the
      // next connection of a burst must not pick the same victim.
      const victim = oldestUnfinished(socket) ?? first(idle) ?? socket;
      forget(victim);
      shed++;
      victim.destroy();
    }
  });

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket as Socket;
    if (hasBody(request)) {
      receive(socket, request);
      // Read by the handler to its end; one it doesn't read is found whole
      // by `complete` when a victim is sought, or ends with the response.
      request.once("end", () => received(socket, request));
    } else setState(socket, "active");
    response.once("finish", () => {
      if (!socket.destroyed) setState(socket, "idle");
    });
    handle(request, response).catch((error) => {
      if (!isClientGone(error)) {
        log.error("Cannot answer request", {
          method: request.method,
          path: pathOnly(request.url),
          error: errorMessage(error),
          stack: errorStack(error),
        });
      }
      if (!response.headersSent) {
        response.statusCode = 500;
        response.end();
      } else response.destroy();
    });
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let fetchRequest: Request;
    try {
      fetchRequest = toRequest(request, true);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      await writeResponse(Response.json({ message: error.message }, { status: 400 }), response);
      return;
    }
    const socket = request.socket as Socket;
    // Only a request that has arrived whole may stream: one whose body is
    // still coming stays timed, and sheddable.
    const stream = () => {
      if (request.complete) received(socket, request);
      if (states.get(socket) === "active") setState(socket, "streaming");
    };
    const answer = await options.fetch(fetchRequest, { ...envOf(socket), stream });
    await writeResponse(answer, response);
  };

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Uint8Array) => {
    setState(socket as Socket, "upgraded");
    upgrade(request, socket, head).catch((error) => {
      if (!isClientGone(error)) {
        log.error("Cannot upgrade connection", {
          path: pathOnly(request.url),
          error: errorMessage(error),
          stack: errorStack(error),
        });
      }
      socket.destroy();
    });
  });

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Uint8Array) => {
    let taken = false;
    let answer: Response;
    try {
      const env: ServeEnv = {
        ...envOf(socket as Socket),
        upgrade: { request, socket, head, take: () => taken = true },
      };
      answer = await options.fetch(toRequest(request, false), env);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      answer = Response.json({ message: error.message }, { status: 400 });
    }
    if (!taken) await writeRawResponse(answer, socket);
  };

  await listen(server, options.hostname, options.port, backlog);
  server.on("error", (error) => {
    if (!isClientGone(error)) {
      log.error("Server failed", { error: errorMessage(error), stack: errorStack(error) });
    }
  });
  const address = server.address() as net.AddressInfo;
  const port = address.port;

  // The accept loop can stop for good when the process briefly runs out of
  // file descriptors; a connection to ourselves that isn't accepted shows it.
  let relistening = false;
  const watch = setInterval(() => {
    if (Date.now() - lastAccept < WATCH_MS || probe !== undefined || relistening) return;
    const host = address.address === "0.0.0.0" || address.address === "::"
      ? "127.0.0.1"
      : address.address;
    const attempt = net.connect({ host, port });
    probe = attempt;
    const sentAt = Date.now();
    const done = () => {
      clearTimeout(timer);
      attempt.destroy();
      probe = undefined;
    };
    attempt.once("error", done);
    attempt.once("close", done);
    const timer = setTimeout(async () => {
      done();
      if (lastAccept >= sentAt) return;
      log.error("Accept loop stopped taking connections: listening again");
      relistening = true;
      // Open connections stay; only the listening socket is replaced.
      server.close();
      for (;;) {
        try {
          await listen(server, options.hostname, port, backlog);
          break;
        } catch (error) {
          log.error("Cannot listen again", { error: errorMessage(error) });
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      lastAccept = Date.now();
      relistening = false;
    }, 1000);
  }, WATCH_MS);

  /** Closes what is due, up to the batch; whether that was all of it. */
  const expireDue = (): boolean => {
    const at = now();
    let budget = SWEEP_BATCH;
    const expire = (map: Map<Socket, number>, timeoutMs: number) => {
      for (const [socket, since] of map) {
        if (budget === 0 || at - since < timeoutMs) return;
        budget--;
        forget(socket);
        socket.destroy();
      }
    };
    expire(waiting, headersTimeoutMs);
    expire(idle, keepAliveTimeoutMs + 1000);
    expire(active, requestTimeoutMs);
    return budget > 0;
  };
  // Closes connections past their time, oldest first, at most SWEEP_BATCH a
  // turn, and sooner again while they pile up.
  const stopSweeping = new AbortController();
  void (async (sleep: Sleep, signal: AbortSignal) => {
    let wait = SWEEP_MS;
    for (;;) {
      try {
        await sleep(wait, signal);
      } catch {
        return; // closed
      }
      wait = expireDue() ? SWEEP_MS : SWEEP_BUSY_MS;
    }
  })(options.sleep ?? timerSleep, stopSweeping.signal);

  let closing: Promise<void> | undefined;
  return {
    hostname: address.address,
    port,
    maxConnections,
    get connections() {
      return states.size;
    },
    get shed() {
      return shed;
    },
    close(drainMs: number) {
      return closing ??= (async () => {
        clearInterval(watch);
        stopSweeping.abort();
        server.close();
        drained = Promise.withResolvers<void>();
        if (states.size === 0) drained.resolve();
        // Those with no request in flight go now; the others as their
        // response finishes (see setState), or at the deadline.
        for (const socket of [...waiting.keys(), ...idle.keys()]) socket.destroy();
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          drained.promise,
          new Promise((resolve) => timer = setTimeout(resolve, drainMs)),
        ]);
        clearTimeout(timer);
        for (const socket of states.keys()) socket.destroy();
      })();
    },
  };
}

function envOf(socket: Socket): ServeEnv {
  return {
    remoteAddr: { hostname: socket.remoteAddress ?? "unknown", port: socket.remotePort ?? 0 },
  };
}

/** A request's path without its query, which may carry a token. */
function pathOnly(url: string | undefined): string {
  return (url ?? "").split("?")[0];
}

/** Whether a request has a body to come: declared by its length or by chunks. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  if (length !== undefined) return length.trim() !== "0";
  return request.headers["transfer-encoding"] !== undefined;
}

function first<T>(map: Map<T, unknown>): T | undefined {
  for (const key of map.keys()) return key;
  return undefined;
}

function listen(server: http.Server, host: string, port: number, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error & { code?: string }) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Deno.errors.AddrInUse(`Address ${host}:${port} is already in use`)
          : error,
      );
    };
    server.once("error", failed);
    server.listen({ host, port, backlog }, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/**
 * The process's open-file limit, read from Linux's `/proc`; `undefined`
 * elsewhere. Deno raises the soft limit to the hard one at start.
 */
export function fileLimit(): number | undefined {
  try {
    const text = Deno.readTextFileSync("/proc/self/limits");
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (!match || match[1] === "unlimited") return undefined;
    return Number(match[1]);
  } catch {
    return undefined;
  }
}
