/**
 * How the web client's files are delivered, through the app in memory on a
 * temporary static folder: compressed, tagged, revalidated with 304, the
 * hashed bundle kept for good, and the page naming the bundle of the build.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { type MemoryApp, memoryApp } from "./memory_app.ts";
import { chooseEncoding, IMMUTABLE } from "../../src/http/static_files.ts";

const BUNDLE = "/dist/app-0123456789ab.js";
const SCRIPT = `console.log(${JSON.stringify("clicker ".repeat(200))});\n`;
const PAGE = `<!doctype html><html><head><script type="module" src="/dist/app.js"></script>` +
  `<link rel="stylesheet" href="/style.css"></head><body>${"<p>play</p>".repeat(60)}</body></html>`;

async function withFiles(body: (app: MemoryApp, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "clicker-static-files-" });
  try {
    await Deno.mkdir(join(root, "dist"));
    await Deno.writeTextFile(join(root, "index.html"), PAGE);
    await Deno.writeTextFile(join(root, "style.css"), "body { color: red; }\n".repeat(40));
    await Deno.writeTextFile(join(root, BUNDLE), SCRIPT);
    await Deno.writeTextFile(
      join(root, "dist", "manifest.json"),
      JSON.stringify({ "app.js": BUNDLE }),
    );
    const app = await memoryApp({ staticRoot: root });
    try {
      await body(app, root);
    } finally {
      await app.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("static files: the page names the hashed bundle of the build, and is revalidated", async () => {
  await withFiles(async (app) => {
    const response = await app.request("/", { headers: { "accept-encoding": "gzip" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-encoding"), "gzip");
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.match(response.headers.get("vary") ?? "", /accept-encoding/i);
    const page = gunzipSync(new Uint8Array(await response.arrayBuffer())).toString();
    assert.match(page, new RegExp(`src="${BUNDLE}"`));
    assert.doesNotMatch(page, /"\/dist\/app\.js"/);

    const etag = response.headers.get("etag")!;
    assert.match(etag, /^"[\w-]+"$/);
    const again = await app.request("/", {
      headers: { "accept-encoding": "gzip", "if-none-match": etag },
    });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    // Any page path is the page, and so is its tag.
    const other = await app.request("/some/page", { headers: { "if-none-match": etag } });
    assert.equal(other.status, 304);
    await other.body?.cancel();
  });
});

Deno.test("static files: the hashed bundle is brotli-compressed and immutable", async () => {
  await withFiles(async (app) => {
    const response = await app.request(BUNDLE, { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-encoding"), "br");
    assert.equal(response.headers.get("cache-control"), IMMUTABLE);
    assert.match(response.headers.get("content-type") ?? "", /javascript/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok(bytes.length < SCRIPT.length / 4, `${bytes.length} bytes`);
    assert.equal(brotliDecompressSync(bytes).toString(), SCRIPT);

    const plain = await app.request(BUNDLE);
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(await plain.text(), SCRIPT);
    const css = await app.request("/style.css", { headers: { "accept-encoding": "gzip" } });
    assert.equal(css.headers.get("content-encoding"), "gzip");
    assert.equal(css.headers.get("cache-control"), "no-cache");
    await css.body?.cancel();
  });
});

Deno.test("static files: a changed file gets a new tag", async () => {
  await withFiles(async (app, root) => {
    const first = await app.request("/style.css");
    await first.body?.cancel();
    await Deno.writeTextFile(join(root, "style.css"), "body { color: blue; }\n");
    const second = await app.request("/style.css", {
      headers: { "if-none-match": first.headers.get("etag")! },
    });
    assert.equal(second.status, 200);
    assert.notEqual(second.headers.get("etag"), first.headers.get("etag"));
    assert.equal(await second.text(), "body { color: blue; }\n");
  });
});

Deno.test("chooseEncoding() prefers brotli, then gzip, and honours q=0", () => {
  const both = { br: 1, gzip: 1 };
  assert.equal(chooseEncoding("gzip, deflate, br", both), "br");
  assert.equal(chooseEncoding("gzip, br;q=0", both), "gzip");
  assert.equal(chooseEncoding("*", both), "gzip");
  assert.equal(chooseEncoding(null, both), "identity");
  assert.equal(chooseEncoding("br", {}), "identity");
});
