/**
 * Reads a JSON request body of bounded size, turning every way it can be
 * wrong into an {@linkcode HTTPException} with status 400 and a message.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** The largest JSON body accepted. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Parses the body as JSON, or throws a 400. */
export async function readJson(c: Context): Promise<unknown> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const reader = c.req.raw.body?.getReader();
  if (!reader) throw badRequest("Body must be JSON");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw badRequest("Body must be JSON");
  }
}

function badRequest(message: string): HTTPException {
  return new HTTPException(400, { message });
}

function tooLarge(): HTTPException {
  return badRequest(`Body too large: at most ${MAX_BODY_BYTES} bytes`);
}
