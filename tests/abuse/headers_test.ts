/**
 * Security headers on every page and API answer, and error responses that
 * never carry a stack trace, against the real server.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startTestServer } from "../support/test_server.ts";
import { registerAndLogin } from "../support/accounts.ts";

function assertSecurityHeaders(path: string, headers: Headers): void {
  const csp = headers.get("content-security-policy");
  assert.ok(csp, `${path}: no Content-Security-Policy`);
  const directives = new Map(
    csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
  );
  const scripts = directives.get("script-src") ?? directives.get("default-src");
  assert.ok(scripts, `${path}: no script-src`);
  for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"]) {
    assert.ok(!scripts.includes(unsafe), `${path}: script-src allows ${unsafe}`);
  }
  assert.deepEqual(directives.get("frame-ancestors"), ["'none'"], `${path}: frame-ancestors`);
  assert.equal(headers.get("x-content-type-options"), "nosniff", path);
  assert.ok(headers.get("referrer-policy"), `${path}: no Referrer-Policy`);
}

Deno.test("headers: pages and API answers carry CSP, nosniff, Referrer-Policy, no framing", async () => {
  const server = await startTestServer();
  try {
    const paths = ["", "index.html", "some/bookmarked/page", "style.css", "api/leaderboard"];
    for (const path of [...paths, "api/nothing-here", "missing.png", "healthz"]) {
      const response = await fetch(server.url + path);
      assertSecurityHeaders(path, response.headers);
      await response.body?.cancel();
    }
    // The page itself keeps to its policy: every script is a file.
    const html = await (await fetch(server.url)).text();
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
      assert.match(tag, /\bsrc=/, `inline script: ${tag}`);
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, "inline event handler");
  } finally {
    await server.stop();
  }
});

Deno.test("errors: no response carries a stack trace, even a 500", async () => {
  const server = await startTestServer();
  let stopped = false;
  try {
    const url = server.url;
    const { token } = await registerAndLogin(url);
    const json = { "content-type": "application/json" };
    const requests: [string, RequestInit, number][] = [
      ["api/account/login", { method: "POST", headers: json, body: "{not json" }, 400],
      ["api/account/login", { method: "POST", headers: json, body: "x".repeat(20_000) }, 400],
      ["api/account/register", { method: "POST", headers: json, body: '{"username":[]}' }, 400],
      ["api/account/login", { method: "POST", body: "{}" }, 415],
      ["api/rounds?limit=-1", {}, 400],
      ["api/nothing", {}, 404],
      ["game", { headers: { authorization: "Bearer not.a.token" } }, 401],
      ["game?access_token=" + token, { headers: { upgrade: "websocket" } }, 400],
      ["game?access_token=" + token, {}, 400],
      ["game/negotiate", { method: "POST" }, 401],
    ];
    const check = async (path: string, init: RequestInit, status: number) => {
      const response = await fetch(url + path, init);
      const text = await response.text();
      assert.equal(response.status, status, `${path}: ${text}`);
      assert.doesNotMatch(text, /\n\s+at |\.ts:\d+|file:\/\/|Error:/, `${path}: ${text}`);
      assert.equal(typeof JSON.parse(text).message, "string", path);
      assertSecurityHeaders(path, response.headers);
    };
    for (const [path, init, status] of requests) await check(path, init, status);

    // A real internal failure: the database is gone under a running server.
    await server.server.db.destroy();
    await check("api/leaderboard", {}, 500);
    const health = await fetch(url + "healthz");
    assert.equal(health.status, 503);
    assert.doesNotMatch(await health.text(), /\n\s+at |\.ts:\d+/);
    // With its database gone, the server can't save at shutdown, and says so.
    stopped = true;
    await assert.rejects(server.stop(), /could not save/);
  } finally {
    if (!stopped) await server.stop();
  }
});
