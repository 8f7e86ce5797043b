/**
 * Requests for a connection that lives on another server, relayed there.
 * Without sticky sessions, the requests of one Server-Sent Events or
 * long-polling connection (its stream or polls, its POSTs, its DELETE)
 * reach any server; the token names the server that negotiated it
 * (`../hub/connection_token.ts`), and the server a request reaches passes
 * it on to that one and streams the answer back: an event stream flows
 * through as it is written, a long poll waits through.
 *
 * - The target comes from Redis (each live server's advertised address),
 *   never from the client: the token names a server id, not an address.
 * - The request goes as it came (method, path, body streamed, the client's
 *   own credentials, `Host` and `Origin`, so the owner checks them as the
 *   first server did), with `X-Forwarded-For` ending in the client address
 *   this server read, and a marker header: a relayed request is never
 *   relayed again.
 * - Each relayed request opens its own connection to the owner: a kept-alive
 *   one may be closed by the owner just as it is reused, and a streamed body
 *   can't be sent twice.
 *
 * @module
 */

import http, { type IncomingMessage } from "node:http";
import { tokenOwner } from "../hub/connection_token.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import { errorMessage } from "../log/error_message.ts";
import { getLogger } from "@logtape/logtape";

/** Marks a relayed request, naming the server that relayed it. */
export const RELAYED_BY = "x-clicker-relayed-by";

/** Headers of one hop, not passed on (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Statuses whose response has no body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/** Options of {@linkcode ConnectionRelay}. */
export interface ConnectionRelayOptions {
  /** This server's id: its own tokens are never relayed. */
  readonly serverId: string;
  /** Where a live server is reached (an `http://` origin), or `undefined` for one not alive. */
  readonly addressOf: (serverId: string) => Promise<string | undefined>;
  /** How long the owner may take to start its answer, in ms (default 10,000). */
  readonly answerTimeoutMs?: number;
  /** Where failures to reach an owner go, as warnings (default: the `clicker.cluster` logger). */
  readonly log?: ProblemLog;
}

/** Relays requests for connections held by other servers. */
export class ConnectionRelay {
  readonly #options: ConnectionRelayOptions;
  /** Relayed requests whose answer hasn't ended, ended on {@linkcode close}. */
  readonly #open = new Set<http.ClientRequest>();

  constructor(options: ConnectionRelayOptions) {
    this.#options = options;
  }

  /**
   * The owner's answer to `request`, for the connection of `token`; its body
   * streams as the owner writes it. `undefined` when no other live server
   * owns the token, the request was relayed already, or the owner can't be
   * reached: to the client, no connection has that id.
   * `forwardedFor` is the `X-Forwarded-For` to send.
   */
  async forward(
    request: Request,
    token: string,
    forwardedFor: string,
  ): Promise<Response | undefined> {
    const { serverId, addressOf } = this.#options;
    if (request.headers.has(RELAYED_BY)) return undefined;
    const owner = tokenOwner(token);
    if (owner === undefined || owner === serverId) return undefined;
    let address: string | undefined;
    try {
      address = await addressOf(owner);
    } catch {
      return undefined; // Redis is down: nobody can be found
    }
    if (address === undefined) return undefined;
    try {
      return await this.#send(request, new URL(address), forwardedFor);
    } catch (error) {
      (this.#options.log ?? getLogger(["clicker", "cluster"])).warning(
        "Cannot relay request to the server that holds its connection",
        {
          method: request.method,
          path: "/game",
          owner,
          error: errorMessage(error),
        },
      );
      return undefined;
    }
  }

  /** Ends every relayed request still open. Safe to call twice. */
  close(): void {
    for (const outgoing of this.#open) outgoing.destroy();
    this.#open.clear();
  }

  #send(request: Request, target: URL, forwardedFor: string): Promise<Response> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) {
      if (!HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers.host ??= url.host;
    headers["x-forwarded-for"] = forwardedFor;
    headers[RELAYED_BY] = this.#options.serverId;
    const { promise, resolve, reject } = Promise.withResolvers<Response>();
    const outgoing = http.request({
      host: target.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(target.port || 80),
      method: request.method,
      path: url.pathname + url.search,
      headers,
      agent: false,
    });
    this.#open.add(outgoing);
    const forget = () => this.#open.delete(outgoing);
    outgoing.once("close", forget);
    const timer = setTimeout(
      () => outgoing.destroy(new Error("no answer in time")),
      this.#options.answerTimeoutMs ?? 10_000,
    );
    // Errors after the answer started end its body (see toResponse); before, they refuse it.
    outgoing.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.once("response", (answer: IncomingMessage) => {
      clearTimeout(timer);
      resolve(toResponse(answer, outgoing, request.method === "HEAD"));
    });
    sendBody(request.body, outgoing);
    return promise;
  }
}

/** Streams `body` into `outgoing` with backpressure, then ends it. */
async function sendBody(
  body: ReadableStream<Uint8Array> | null,
  outgoing: http.ClientRequest,
): Promise<void> {
  if (body === null) {
    outgoing.end();
    return;
  }
  try {
    for await (const chunk of body) {
      if (outgoing.destroyed) return;
      if (!outgoing.write(chunk)) {
        await new Promise((resolve) => {
          outgoing.once("drain", resolve);
          outgoing.once("close", resolve);
        });
      }
    }
    outgoing.end();
  } catch (error) {
    outgoing.destroy(error as Error); // the client went away mid-body
  }
}

/** The owner's answer as a Fetch `Response` whose body flows as it arrives. */
function toResponse(
  answer: IncomingMessage,
  outgoing: http.ClientRequest,
  head: boolean,
): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const status = answer.statusCode ?? 502;
  if (head || NO_BODY.has(status)) {
    answer.resume();
    return new Response(null, { status, headers });
  }
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // After the client cancelled, the owner's last events still come:
      // the stream is done with, and touching its controller would throw.
      answer.on("data", (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk));
        // Reading stops until the client takes more: a slow client never piles it up here.
        if ((controller.desiredSize ?? 0) <= 0) answer.pause();
      });
      answer.on("error", () => {}); // its "close" follows, and says it
      answer.once("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      answer.once("close", () => {
        if (finished) return;
        finished = true;
        controller.error(new Error("The relayed answer ended early"));
      });
    },
    pull() {
      answer.resume();
    },
    cancel() {
      // The client left: so does the request to the owner, which sees its client gone.
      finished = true;
      outgoing.destroy();
    },
  }, { highWaterMark: 1 });
  return new Response(body, { status, headers });
}
