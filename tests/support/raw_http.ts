/**
 * One HTTP/1.1 request written by hand over TCP, for request targets no
 * Fetch client sends as they are: `fetch()` resolves `%2e%2e`, `..` and
 * backslashes before the request leaves, so it cannot try them.
 *
 * @module
 */

import { writeAll } from "../abuse/raw_socket.ts";

/** A response as read off the wire. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, de-chunked but not decompressed. */
  readonly body: Uint8Array;
}

/**
 * Sends `GET <target>` (exactly as given) to the server at `url` on a new
 * connection, asking it to close after the answer, and reads the answer.
 */
export async function rawGet(
  url: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const { hostname, port, host } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const lines = [`GET ${target} HTTP/1.1`, `Host: ${host}`, "Connection: close"];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    await writeAll(conn, new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const chunks: Uint8Array[] = [];
    for await (const chunk of conn.readable) chunks.push(chunk);
    return parseResponse(concat(chunks));
  } finally {
    try {
      conn.close();
    } catch { /* closed with its readable */ }
  }
}

function parseResponse(bytes: Uint8Array): RawResponse {
  const end = indexOf(bytes, "\r\n\r\n", 0);
  if (end === -1) {
    throw new SyntaxError(`Cannot parse response: no end of head in ${bytes.length} bytes`);
  }
  const [statusLine, ...fields] = new TextDecoder().decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new SyntaxError(`Cannot parse status line: ${statusLine}`);
  const headers = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    headers.append(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  let body = bytes.subarray(end + 4);
  if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") body = unchunk(body);
  return { status, headers, body };
}

function unchunk(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = indexOf(bytes, "\r\n", at);
    if (lineEnd === -1) throw new SyntaxError("Cannot parse chunked body: missing chunk size");
    const size = parseInt(new TextDecoder().decode(bytes.subarray(at, lineEnd)), 16);
    if (!Number.isInteger(size)) throw new SyntaxError("Cannot parse chunked body: bad chunk size");
    if (size === 0) return concat(chunks);
    chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function indexOf(bytes: Uint8Array, text: string, from: number): number {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = from; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}
