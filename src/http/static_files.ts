/**
 * The web client's files as a browser should get them: compressed (brotli or
 * gzip, as `Accept-Encoding` allows), with a strong `ETag` that a
 * revalidation answers with 304, and kept for good (`immutable`) when the
 * name carries the content's hash, as the bundle's does
 * (`/dist/app-<hash>.js`). Everything else is `no-cache`: the browser keeps
 * it but asks each time, and mostly gets a 304.
 *
 * `index.html` names the current bundle: `deno task build:client` writes
 * `dist/manifest.json` (`{"app.js": "/dist/app-<hash>.js"}`), and the page's
 * `/dist/app.js` is rewritten to that name when it is served. Without a
 * manifest the page is served as it is.
 *
 * Only the page's files are served, those {@linkcode isPublicFile} allows,
 * and only by their one normalised path (as `readPath()` reads a request's).
 *
 * Each file is read, hashed and compressed once per version (its size and
 * modification time, checked on every request), then served from memory.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { isPublicFile, PUBLIC_FILES } from "./public_files.ts";
import { normalisePath } from "./request_path.ts";

/** Where the build writes the bundle's hashed name, under the static root. */
export const MANIFEST_PATH = "/dist/manifest.json";

/** What the build writes to {@linkcode MANIFEST_PATH}. */
export interface ClientManifest {
  /** The bundle's URL path, e.g. `/dist/app-1a2b3c4d5e.js`. */
  readonly "app.js": string;
}

/** `Cache-Control` of a file whose name carries its content's hash. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

/** A file under `dist/` named `<name>-<hash>.<ext>` (a source map too). */
const HASHED_NAME = /^\/dist\/[\w.]+-[0-9a-f]{10,}\.(?:js|css)(?:\.map)?$/;

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  map: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  txt: "text/plain; charset=utf-8",
  png: "image/png",
  ico: "image/x-icon",
  webp: "image/webp",
  woff2: "font/woff2",
};

/** Types worth compressing. */
const COMPRESSIBLE = /^(?:text\/|application\/json|image\/svg)/;

/** A file as served: its bytes, their compressed forms, and their hash. */
interface Entry {
  /** Size and modification time of what it was made from. */
  readonly stamp: string;
  readonly type: string;
  /** A short hash of the bytes, the strong `ETag` without quotes. */
  readonly hash: string;
  readonly identity: Uint8Array;
  readonly br: Uint8Array | undefined;
  readonly gzip: Uint8Array | undefined;
}

type Encoding = "br" | "gzip" | "identity";

/** Options of {@linkcode StaticFiles}. */
export interface StaticFilesOptions {
  /** The files a browser may fetch, as {@linkcode isPublicFile} reads them (default {@linkcode PUBLIC_FILES}). */
  readonly publicFiles?: readonly string[];
}

/** Serves the page's files under one folder. */
export class StaticFiles {
  readonly #root: string;
  readonly #publicFiles: readonly string[];
  readonly #cache = new Map<string, Entry>();

  /** Serves the page's files under `root`. */
  constructor(root: string, options: StaticFilesOptions = {}) {
    this.#root = root;
    this.#publicFiles = options.publicFiles ?? PUBLIC_FILES;
  }

  /**
   * The response for `path` (decoded and normalised, as `readPath()` reads
   * it), or `undefined` when it names no public file that exists. A path
   * ending in `/` names its folder's `index.html`. Any other spelling of a
   * path (`..`, `//`, a backslash) is no file's.
   */
  async respond(request: Request, path: string): Promise<Response | undefined> {
    const file = path.endsWith("/") ? `${path}index.html` : path;
    if (normalisePath(file) !== file || !isPublicFile(file, this.#publicFiles)) return undefined;
    const entry = await this.#entry(file);
    if (entry === undefined) return undefined;
    const encoding = chooseEncoding(request.headers.get("accept-encoding"), entry);
    const etag = encoding === "identity" ? `"${entry.hash}"` : `"${entry.hash}-${encoding}"`;
    const headers = new Headers({
      "Content-Type": entry.type,
      "Cache-Control": HASHED_NAME.test(file) ? IMMUTABLE : "no-cache",
      "ETag": etag,
      "Vary": "Accept-Encoding",
    });
    if (matches(request.headers.get("if-none-match"), entry.hash)) {
      return new Response(null, { status: 304, headers });
    }
    const body = encoding === "identity" ? entry.identity : entry[encoding]!;
    if (encoding !== "identity") headers.set("Content-Encoding", encoding);
    headers.set("Content-Length", String(body.byteLength));
    return new Response(request.method === "HEAD" ? null : body.slice(), { headers });
  }

  async #entry(path: string): Promise<Entry | undefined> {
    const stat = await statFile(join(this.#root, path));
    if (stat === undefined) return undefined;
    let stamp = stamped(stat);
    let manifest: ClientManifest | undefined;
    if (path === "/index.html") {
      const found = await statFile(join(this.#root, MANIFEST_PATH));
      if (found !== undefined) {
        stamp += `+${stamped(found)}`;
        manifest = await readManifest(join(this.#root, MANIFEST_PATH));
      }
    }
    const cached = this.#cache.get(path);
    if (cached?.stamp === stamp) return cached;

    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(this.#root, path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    if (manifest !== undefined) bytes = withBundle(bytes, manifest);
    const type = TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ??
      "application/octet-stream";
    const compress = COMPRESSIBLE.test(type) && bytes.byteLength >= 256;
    const entry: Entry = {
      stamp,
      type,
      hash: createHash("sha256").update(bytes).digest("base64url").slice(0, 22),
      identity: bytes,
      br: compress ? smaller(brotli(bytes), bytes) : undefined,
      gzip: compress ? smaller(gzipSync(bytes, { level: 9 }), bytes) : undefined,
    };
    this.#cache.set(path, entry);
    return entry;
  }
}

/** The page with its bundle's name replaced by the hashed one. */
function withBundle(page: Uint8Array, manifest: ClientManifest): Uint8Array {
  const text = new TextDecoder().decode(page);
  return new TextEncoder().encode(text.replaceAll('"/dist/app.js"', `"${manifest["app.js"]}"`));
}

async function readManifest(path: string): Promise<ClientManifest | undefined> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(path)) as Partial<ClientManifest>;
    const app = manifest["app.js"];
    const named = typeof app === "string" && /^\/dist\/[\w.-]+\.js$/.test(app);
    return named ? { "app.js": app } : undefined;
  } catch {
    // Being rewritten by a build: the page names the plain bundle until then.
    return undefined;
  }
}

async function statFile(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    const stat = await Deno.stat(path);
    return stat.isFile ? stat : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
}

function stamped(stat: Deno.FileInfo): string {
  return `${stat.size}:${stat.mtime?.getTime() ?? 0}`;
}

function brotli(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
    },
  });
}

/** The compressed bytes, unless they save nothing. */
function smaller(compressed: Buffer, original: Uint8Array): Uint8Array | undefined {
  return compressed.byteLength < original.byteLength ? new Uint8Array(compressed) : undefined;
}

/** The best encoding the client accepts that the file has: brotli, then gzip. */
export function chooseEncoding(
  accept: string | null,
  available: { readonly br?: unknown; readonly gzip?: unknown },
): Encoding {
  const accepted = new Set<string>();
  for (const part of (accept ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (name !== "" && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name);
  }
  if (available.br !== undefined && accepted.has("br")) return "br";
  if (available.gzip !== undefined && (accepted.has("gzip") || accepted.has("*"))) return "gzip";
  return "identity";
}

/** Whether an `If-None-Match` header names the file's current content, in any encoding. */
function matches(header: string | null, hash: string): boolean {
  if (header === null) return false;
  return header.split(",").some((tag) => {
    const bare = tag.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
    return bare === "*" || bare.replace(/-(?:br|gzip)$/, "") === hash;
  });
}
