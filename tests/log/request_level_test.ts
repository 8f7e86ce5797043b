import assert from "node:assert/strict";
import { requestLevel } from "../../src/log/request_level.ts";

Deno.test("requestLevel() logs health checks and scrapes at debug while they succeed", () => {
  for (const route of ["/livez", "/readyz", "/healthz", "/metrics"]) {
    assert.equal(requestLevel(route, 200), "debug", route);
  }
  assert.equal(requestLevel("/readyz", 503), "info", "a failing check is worth seeing");
  assert.equal(requestLevel("/metrics", 401), "info", "a scraper without the token too");
});

Deno.test("requestLevel() logs the players' requests at info", () => {
  assert.equal(requestLevel("/api/account/login", 200), "info");
  assert.equal(requestLevel("/game", 204), "info");
  assert.equal(requestLevel("/*", 404), "info");
});
