/**
 * Reads a JSON request body of bounded size, turning every way it can be
 * wrong into an {@linkcode HTTPException} with a message: 415 for a body not
 * declared as JSON, 400 for the rest.
 *
 * Only a JSON content type is accepted because a page on any site may send a
 * cross-site `text/plain`, form or multipart POST without a CORS preflight;
 * `application/json` makes the browser ask first, so CORS decides.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** The largest JSON body accepted. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Whether a `Content-Type` value declares JSON: `application/json` or any
 * `application/*+json`, with or without parameters such as `charset`.
 */
export function isJsonContentType(value: string | undefined): boolean {
  const type = value?.split(";", 1)[0].trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

/** Parses the body as JSON, or throws a 415 or a 400. */
export async function readJson(c: Context): Promise<unknown> {
  if (!isJsonContentType(c.req.header("content-type"))) {
    throw new HTTPException(415, { message: "Content-Type must be application/json" });
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const reader = c.req.raw.body?.getReader();
  if (!reader) throw badRequest("Body must be JSON");
  const chunks: Uint8Array<ArrayBuffer>[] = [];
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
  const bytes = await new Blob(chunks).arrayBuffer();
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
