import assert from "node:assert/strict";
import { bearerMatches, metricsRoutes } from "../../src/http/metrics_routes.ts";

const METRICS = {
  contentType: "text/plain; version=0.0.4; charset=utf-8",
  render: () => Promise.resolve("clicker_leader 1\n"),
};

Deno.test("GET /metrics answers the metrics as Prometheus text", async () => {
  const app = metricsRoutes({ metrics: METRICS });
  const response = await app.request("/metrics");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), METRICS.contentType);
  assert.equal(await response.text(), "clicker_leader 1\n");
});

Deno.test("GET /metrics with a token answers 401 without it or with another", async () => {
  const app = metricsRoutes({ metrics: METRICS, token: "scrape-token-0123456789" });
  for (const authorization of [undefined, "Bearer wrong", "Basic c2NyYXBl", "Bearer "]) {
    const response = await app.request("/metrics", {
      headers: authorization === undefined ? {} : { authorization },
    });
    assert.equal(response.status, 401, authorization);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    await response.body?.cancel();
  }
  const ok = await app.request("/metrics", {
    headers: { authorization: "Bearer scrape-token-0123456789" },
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});

Deno.test("GET /metrics answers 404 where the metrics are served on another port", async () => {
  const response = await metricsRoutes({}).request("/metrics");
  assert.equal(response.status, 404);
  await response.body?.cancel();
});

Deno.test("bearerMatches() takes the scheme in any case, the token exactly", () => {
  assert.equal(bearerMatches("bearer abc", "abc"), true);
  assert.equal(bearerMatches("Bearer abcd", "abc"), false);
  assert.equal(bearerMatches("Bearer ABC", "abc"), false);
  assert.equal(bearerMatches(undefined, "abc"), false);
});
