/**
 * Carries requests and responses between `node:http` and the Fetch API, so
 * the Hono application sees a plain `Request` and returns a plain `Response`
 * whichever server accepted the connection.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** A request head or body the Fetch API refuses (a malformed URL or header). */
export class BadRequestError extends Error {
  override name = "BadRequestError";
}

/** Turns a `node:http` request into a Fetch `Request`; its body streams with backpressure. */
export function toRequest(message: IncomingMessage, withBody: boolean): Request {
  const target = message.url ?? "/";
  let url: URL;
  try {
    url = target.startsWith("/")
      ? new URL(target, `http://${message.headers.host ?? "localhost"}`)
      : new URL(target);
  } catch {
    throw new BadRequestError(`Cannot parse request target or Host header`);
  }
  const headers = new Headers();
  const raw = message.rawHeaders;
  try {
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  } catch {
    throw new BadRequestError("Cannot parse request headers");
  }
  const method = message.method ?? "GET";
  const hasBody = withBody && method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    body: hasBody ? bodyStream(message) : undefined,
    // @ts-ignore: `duplex` is required by the Fetch standard for stream bodies, missing in lib.dom
    duplex: hasBody ? "half" : undefined,
  });
}

function bodyStream(message: IncomingMessage): ReadableStream<Uint8Array> {
  let onData: (chunk: Uint8Array) => void;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onData = (chunk) => {
        controller.enqueue(new Uint8Array(chunk));
        // Reading stops until the handler asks for more: a large body never piles up.
        if ((controller.desiredSize ?? 0) <= 0) message.pause();
      };
      message.on("data", onData);
      message.once("end", () => controller.close());
      message.once("error", (error) => controller.error(error));
      message.pause();
    },
    pull() {
      message.resume();
    },
    cancel() {
      // The handler answers without the rest (a body too large): the server
      // reads and discards it after the response, within its request timeout.
      message.off("data", onData);
      message.pause();
    },
  }, { highWaterMark: 1 });
}

/** Writes a Fetch `Response` to a `node:http` response, streaming its body. */
export async function writeResponse(response: Response, out: ServerResponse): Promise<void> {
  out.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") out.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out.setHeader("set-cookie", cookies);
  if (response.body === null) {
    out.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = () => reader.cancel().catch(() => {});
  out.once("close", gone);
  // A client that left before its answer was ready: a long poll must not wait for it.
  if (out.destroyed || out.socket?.destroyed) gone();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!out.write(value)) await drained(out);
    }
    out.end();
  } catch {
    out.destroy();
  } finally {
    out.off("close", gone);
  }
}

function drained(out: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.once("drain", done);
    out.once("close", done);
  });
}

/**
 * Writes a Fetch `Response` as a whole HTTP/1.1 response onto a raw socket
 * (an upgrade request that was refused), then ends the connection.
 */
export async function writeRawResponse(response: Response, socket: Duplex): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  for (const [name, value] of response.headers) {
    if (name !== "content-length" && name !== "connection") lines.push(`${name}: ${value}`);
  }
  lines.push(`content-length: ${body.length}`, "connection: close", "", "");
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Closed once written: nothing more is read from a refused upgrade.
  socket.once("finish", () => socket.destroy());
  socket.write(lines.join("\r\n"));
  socket.end(body);
}
