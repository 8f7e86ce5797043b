import assert from "node:assert/strict";
import { parseConfig } from "../../src/config.ts";
import { configFields, redactedServiceUrl } from "../../src/log/config_fields.ts";

Deno.test("configFields() hides the token secret and the passwords in service URLs", () => {
  const config = parseConfig({
    JWT_SECRET: "a-very-secret-key-of-32-bytes-or-more",
    REDIS_URL: "redis://:redispass@cache:6379/0",
    DATABASE_URL: "postgres://clicker:pgpass@db:5432/clicker?sslpassword=x1",
    METRICS_TOKEN: "metrics-token-secret-1",
  });
  const text = JSON.stringify(configFields(config));
  for (const secret of ["a-very-secret-key", "redispass", "pgpass", "x1", "metrics-token"]) {
    assert.equal(text.includes(secret), false, `${secret} in ${text}`);
  }
  assert.equal(configFields(config).port, 8000);
  assert.equal(configFields(parseConfig({})).jwtSecret, "generated");
});

Deno.test("redactedServiceUrl() keeps the host, user and database", () => {
  assert.equal(
    redactedServiceUrl("postgres://clicker:pw@db:5432/game"),
    "postgres://clicker:%5Bredacted%5D@db:5432/game",
  );
  assert.equal(redactedServiceUrl("redis://cache:6379"), "redis://cache:6379");
  assert.equal(redactedServiceUrl("not a url"), "[redacted]");
});
