/**
 * Every spelling of a hidden file against the real server, sent as written
 * over TCP: the client's TypeScript sources and its workspace configuration
 * sit in the static folder but are never served, however the path is
 * encoded; the files the page needs still are, compressed and cached as
 * before.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { startTestServer } from "../support/test_server.ts";
import { rawGet } from "../support/raw_http.ts";
import { ensureBundle } from "../e2e/browser_support.ts";
import { IMMUTABLE } from "../../src/http/static_files.ts";

const STATIC = join(import.meta.dirname!, "..", "..", "static");

/** Ways to write `/src/app.ts` (or a path that reads as it) in a request target. */
const SOURCE_SPELLINGS = [
  "/src/app.ts",
  "/%73rc/app.ts",
  "/%73%72%63/%61%70%70.%74%73",
  "/%53rc/app.ts",
  "/SRC/app.ts",
  "/Src/App.ts",
  "/%2573rc/app.ts",
  "/%25%37%33rc/app.ts",
  "//src/app.ts",
  "/src//app.ts",
  "/./src/app.ts",
  "/%2e/src/app.ts",
  "/dist/../src/app.ts",
  "/dist/%2e%2e/src/app.ts",
  "/dist/%2E%2E/%73rc/app.ts",
  "/dist/..%2fsrc/app.ts",
  "/dist/..%2Fsrc%2Fapp.ts",
  "/dist/%2e%2e%2fsrc%2fapp.ts",
  "/dist/%252e%252e/src/app.ts",
  "/dist/..%252fsrc/app.ts",
  "/dist\\..\\src\\app.ts",
  "/dist%5c..%5csrc%5capp.ts",
  "/dist%5C%2e%2e%5Csrc%5Capp.ts",
  "/index.html/../src/app.ts",
  "/style.css/..%2fsrc/app.ts",
  "/src/app.ts%00",
  "/src/app.ts%00.js",
  "/src/app.ts?/dist/app.js",
  "/src/app.ts#/dist/app.js",
  "/src/",
  "/%73rc/",
];

/** Ways to write `/deno.json`, the client's workspace configuration. */
const CONFIG_SPELLINGS = [
  "/deno.json",
  "/%64eno.json",
  "/DENO.JSON",
  "/%2564eno.json",
  "/dist/..%2fdeno.json",
  "/dist/%2e%2e/deno.json",
  "/dist%5c..%5cdeno.json",
  "//deno.json",
  "/./deno.json",
];

/** Ways out of the static folder, to the repository's own files. */
const OUTSIDE_SPELLINGS = [
  "/../deno.json",
  "/%2e%2e/main.ts",
  "/..%2fmain.ts",
  "/..%2f..%2fetc%2fpasswd",
  "/dist/..%2f..%2fmain.ts",
  "/%2e%2e%5cmain.ts",
  "/%252e%252e/main.ts",
];

Deno.test("hidden files: no spelling of a source, the configuration or a file outside is served", async () => {
  const source = await Deno.readTextFile(join(STATIC, "src", "app.ts"));
  const config = await Deno.readTextFile(join(STATIC, "deno.json"));
  const main = await Deno.readTextFile(join(STATIC, "..", "main.ts"));
  const server = await startTestServer();
  try {
    for (const target of [...SOURCE_SPELLINGS, ...CONFIG_SPELLINGS, ...OUTSIDE_SPELLINGS]) {
      const response = await rawGet(server.url, target, { "Accept-Encoding": "identity" });
      const text = new TextDecoder().decode(response.body);
      for (const hidden of [source, config, main]) {
        assert.ok(!text.includes(hidden.slice(0, 200)), `${target} served a hidden file`);
      }
      assert.doesNotMatch(
        response.headers.get("content-type") ?? "",
        /typescript|javascript/,
        target,
      );
      // Refused (400, 404) or, for a folder, the page: never the file.
      if (response.status === 200) {
        assert.match(text, /^<!doctype html>/i, `${target}: ${text.slice(0, 80)}`);
      } else assert.ok([400, 404].includes(response.status), `${target}: ${response.status}`);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("hidden files: the page, its stylesheet and its bundle are served, compressed and cached", async () => {
  await ensureBundle();
  const server = await startTestServer();
  try {
    const br = { "Accept-Encoding": "gzip, br" };
    const page = await rawGet(server.url, "/", br);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-encoding"), "br");
    assert.equal(page.headers.get("cache-control"), "no-cache");
    const html = brotliDecompressSync(page.body).toString();
    const bundle = /<script type="module" src="(\/dist\/app-[0-9a-f]+\.js)"/.exec(html)?.[1];
    assert.ok(bundle, "the page names no hashed bundle");

    // The same page by its name, or any spelling of it, revalidated with its tag.
    for (const target of ["/index.html", "/%69ndex.html", "/dist/../index.html"]) {
      const again = await rawGet(server.url, target, {
        ...br,
        "If-None-Match": page.headers.get("etag")!,
      });
      assert.equal(again.status, 304, target);
    }

    const css = await rawGet(server.url, "/style.css", br);
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
    assert.equal(css.headers.get("cache-control"), "no-cache");
    assert.equal(
      brotliDecompressSync(css.body).toString(),
      await Deno.readTextFile(join(STATIC, "style.css")),
    );

    const script = await rawGet(server.url, bundle, br);
    assert.equal(script.status, 200);
    assert.match(script.headers.get("content-type") ?? "", /javascript/);
    assert.equal(script.headers.get("cache-control"), IMMUTABLE);
    assert.equal(script.headers.get("content-encoding"), "br");
    assert.equal(
      brotliDecompressSync(script.body).toString(),
      await Deno.readTextFile(join(STATIC, bundle)),
    );
    const map = await rawGet(server.url, `${bundle}.map`);
    assert.equal(map.status, 200);
    assert.equal(map.headers.get("cache-control"), IMMUTABLE);
    assert.ok(Array.isArray(JSON.parse(new TextDecoder().decode(map.body)).sources));
  } finally {
    await server.stop();
  }
});
