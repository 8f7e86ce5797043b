import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { isJsonContentType, readJson } from "../../src/http/json_body.ts";

Deno.test("isJsonContentType() takes application/json and +json types, with parameters", () => {
  for (
    const type of [
      "application/json",
      "Application/JSON",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      "application/vnd.api+json",
      "application/problem+json; charset=utf-8",
    ]
  ) {
    assert.equal(isJsonContentType(type), true, type);
  }
});

Deno.test("isJsonContentType() refuses every other type, and none at all", () => {
  for (
    const type of [
      undefined,
      "",
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "text/json",
      "application/jsonx",
      "application/+json",
      "application/json+foo",
    ]
  ) {
    assert.equal(isJsonContentType(type), false, String(type));
  }
});

function echoApp(): Hono {
  const app = new Hono();
  app.post("/", async (c) => c.json({ body: await readJson(c) }));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ message: error.message }, error.status);
    throw error;
  });
  return app;
}

Deno.test("readJson() answers 415 with a message to a body not declared as JSON", async () => {
  const app = echoApp();
  const cases: [string, RequestInit][] = [
    ["text/plain", { method: "POST", body: '{"a":1}' }],
    ["form", { method: "POST", body: new URLSearchParams({ a: "1" }) }],
    ["none", { method: "POST", body: new TextEncoder().encode('{"a":1}') }],
    ["none, no body", { method: "POST" }],
  ];
  for (const [what, init] of cases) {
    const response = await app.request("/", init);
    assert.equal(response.status, 415, what);
    assert.match((await response.json()).message, /Content-Type must be application\/json/);
  }
});

Deno.test("readJson() parses a body declared as JSON, with a charset or a +json type", async () => {
  const app = echoApp();
  for (const type of ["application/json; charset=utf-8", "application/merge-patch+json"]) {
    const response = await app.request("/", {
      method: "POST",
      headers: { "content-type": type },
      body: '{"a":1}',
    });
    assert.equal(response.status, 200, type);
    assert.deepEqual(await response.json(), { body: { a: 1 } });
  }
});
