/**
 * The application's own behaviour, called in memory: case-insensitive routes
 * next to static files looked up by their exact name, in a temporary static
 * folder.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type MemoryApp, memoryApp } from "./memory_app.ts";
import { redactUrl } from "../../src/http/app.ts";

/** A static folder with a capitalised asset, a name with a space, sources and a file beside it. */
async function withStaticRoot(body: (app: MemoryApp) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-static-" });
  const root = join(dir, "static");
  try {
    await Deno.mkdir(join(root, "dist"), { recursive: true });
    await Deno.mkdir(join(root, "src"));
    await Deno.writeTextFile(join(root, "index.html"), "<!doctype html><title>page</title>");
    await Deno.writeTextFile(join(root, "dist", "App.js"), "console.log('capital');");
    await Deno.writeTextFile(join(root, "dist", "Read Me.txt"), "spaced");
    await Deno.writeTextFile(join(root, "src", "main.ts"), "source");
    await Deno.writeTextFile(join(root, "deno.json"), "source");
    await Deno.writeTextFile(join(dir, "outside.txt"), "secret");
    const app = await memoryApp({ staticRoot: root });
    try {
      await body(app);
    } finally {
      await app.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("createApp() serves a file by its exact name, capitals included", async () => {
  await withStaticRoot(async (app) => {
    const response = await app.request("/dist/App.js");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /javascript/);
    assert.equal(await response.text(), "console.log('capital');");

    const spaced = await app.request("/dist/Read%20Me.txt");
    assert.equal(spaced.status, 200);
    assert.equal(await spaced.text(), "spaced");
  });
});

Deno.test("createApp() answers 404 for a file name in another case", async () => {
  await withStaticRoot(async (app) => {
    for (const path of ["/dist/app.js", "/DIST/App.js", "/dist/read%20me.txt"]) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
      assert.equal(typeof (await response.json()).message, "string", path);
    }
  });
});

Deno.test("createApp() still routes the API under any case of its paths", async () => {
  await withStaticRoot(async (app) => {
    for (const path of ["/api/leaderboard", "/API/LEADERBOARD", "/Api/Rounds", "/HealthZ"]) {
      const response = await app.request(path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/, path);
      await response.body?.cancel();
    }
  });
});

Deno.test("createApp() serves nothing outside the static folder, nor the client's sources", async () => {
  await withStaticRoot(async (app) => {
    const paths = [
      "/../outside.txt",
      "/%2e%2e/outside.txt",
      "/..%2Foutside.txt",
      "/dist/..%2F..%2Foutside.txt",
      "/dist%5C..%5C..%5Coutside.txt",
      "//outside.txt",
      "/%E0%A4%A.txt",
      "/src/main.ts",
      "/SRC/main.ts",
      "/%73rc/main.ts",
      "/%2573rc/main.ts",
      "/dist/%2e%2e/src/main.ts",
      "/deno.json",
      "/%64eno.json",
    ];
    for (const path of paths) {
      const response = await app.request(path);
      const text = await response.text();
      assert.notEqual(text, "secret", path);
      assert.notEqual(text, "source", path);
      assert.notEqual(response.status, 200, `${path}: ${text}`);
    }
  });
});

Deno.test("createApp() shows the page for any other page path, in any case", async () => {
  await withStaticRoot(async (app) => {
    for (const path of ["/", "/some/Bookmarked/page", "/PLAY"]) {
      const response = await app.request(path);
      assert.equal(response.status, 200, path);
      assert.match(await response.text(), /<!doctype html>/, path);
    }
    // A file name in another case is no page path: it names a missing file.
    const response = await app.request("/Index.html");
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });
});

Deno.test("redactUrl() hides the token and the connection token, however spelled", () => {
  assert.equal(
    redactUrl("/game?id=abc123&access_token=eyJ.x.y"),
    "/game?id=[redacted]&access_token=[redacted]",
  );
  assert.equal(redactUrl("/game?%69d=abc"), "/game?%69d=[redacted]");
  assert.equal(
    redactUrl("/game?id=web-8001.Xk3_9aQ-ZZ0aW1uYWJjZGVm&_=1"),
    "/game?id=web-8001.[redacted]&_=1",
    "the prefix only names the server holding the connection",
  );
  assert.equal(redactUrl("/api/rounds?limit=5"), "/api/rounds?limit=5");
});
