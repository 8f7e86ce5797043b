/**
 * The one reading of a request path: decoded once, then normalised.
 *
 * @module
 */

import assert from "node:assert/strict";
import { normalisePath, rawPath, readPath } from "../../src/http/request_path.ts";

const at = (path: string) => `http://127.0.0.1:8080${path}`;

Deno.test("readPath() decodes once: every spelling of a path reads as the path", () => {
  const spellings = [
    "/src/app.ts",
    "/%73rc/app.ts",
    "/%73%72%63/app.ts",
    "//src/app.ts",
    "/./src/./app.ts",
    "/dist/../src/app.ts",
    "/dist/%2e%2e/src/app.ts",
    "/dist/..%2fsrc/app.ts",
    "/dist/..%2Fsrc%2Fapp.ts",
    "/dist%5c..%5csrc%5capp.ts",
    "/\\src\\app.ts",
    "/dist\\..\\src/app.ts",
    "/../../src/app.ts",
  ];
  for (const spelling of spellings) assert.equal(readPath(at(spelling)), "/src/app.ts", spelling);
});

Deno.test("readPath() never decodes twice, and keeps case", () => {
  assert.equal(readPath(at("/%2573rc/app.ts")), "/%73rc/app.ts");
  assert.equal(readPath(at("/%53rc/App.ts")), "/Src/App.ts");
  assert.equal(readPath(at("/Read%20Me.txt")), "/Read Me.txt");
});

Deno.test("readPath() keeps a folder's trailing slash and never climbs above the root", () => {
  assert.equal(readPath(at("")), "/");
  assert.equal(readPath(at("/")), "/");
  assert.equal(readPath(at("/..")), "/");
  assert.equal(readPath(at("/dist/")), "/dist/");
  assert.equal(readPath(at("/dist/x/..")), "/dist/");
  assert.equal(readPath(at("/api/leaderboard?limit=5#top")), "/api/leaderboard");
  assert.equal(readPath(at("/a%3Fb")), "/a?b");
});

Deno.test("readPath() refuses bad percent-encoding and control characters", () => {
  for (const path of ["/%E0%A4%A.txt", "/%zz", "/%", "/index.html%00.js", "/a%0ab", "/%7f"]) {
    assert.equal(readPath(at(path)), undefined, path);
  }
});

Deno.test("normalisePath() leaves a normalised path as it is", () => {
  for (const path of ["/", "/index.html", "/dist/", "/dist/app-0123456789ab.js", "/a b/%41"]) {
    assert.equal(normalisePath(path), path);
  }
});

Deno.test("rawPath() is the path as sent, without query or fragment", () => {
  assert.equal(rawPath("http://host:1/%73rc/a.ts?x=/y#z"), "/%73rc/a.ts");
  assert.equal(rawPath("http://host"), "/");
  assert.equal(rawPath("http://host?x"), "/");
});
