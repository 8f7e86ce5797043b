/**
 * The allow-list of the page's files.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isPublicFile } from "../../src/http/public_files.ts";

Deno.test("isPublicFile() allows the page, its stylesheet, the bundle and assets", () => {
  const files = [
    "/index.html",
    "/style.css",
    "/dist/app-0123456789ab.js",
    "/dist/app-0123456789ab.js.map",
    "/dist/app.js",
    "/assets/fonts/clicker.woff2",
  ];
  for (const path of files) assert.ok(isPublicFile(path), path);
});

Deno.test("isPublicFile() hides the sources, the configuration and anything unlisted", () => {
  const files = [
    "/src/app.ts",
    "/Src/app.ts",
    "/%73rc/app.ts",
    "/deno.json",
    "/Index.html",
    "/STYLE.CSS",
    "/DIST/app.js",
    "/distant.js",
    "/dist",
    "/dist/",
    "/dist/.build-x1/app.js",
    "/dist/../src/app.ts",
    "/assets/.secret",
  ];
  for (const path of files) assert.ok(!isPublicFile(path), path);
});

Deno.test("isPublicFile() follows the allow-list it is given", () => {
  assert.ok(isPublicFile("/robots.txt", ["/robots.txt"]));
  assert.ok(!isPublicFile("/index.html", ["/robots.txt"]));
});
