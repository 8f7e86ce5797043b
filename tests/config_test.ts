import assert from "node:assert/strict";
import { type Config, ConfigError, parseConfig, usage } from "../src/config.ts";

const SECRET = "0123456789abcdef0123456789abcdef";

/** Asserts that parsing throws a ConfigError whose message names `name`. */
function assertRefused(env: Record<string, string>, args: string[], name: string): void {
  assert.throws(() => parseConfig(env, args), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.ok(
      error.message.includes(name),
      `message "${error.message}" should name ${name}`,
    );
    return true;
  }, `${JSON.stringify(env)} ${JSON.stringify(args)} should be refused`);
}

Deno.test("parseConfig() gives the documented defaults with no environment and no flags", () => {
  const expected: Config = {
    port: 8000,
    host: "0.0.0.0",
    databasePath: "data/clicker.db",
    roundDurationMs: 30_000,
    jwtSecret: undefined,
    tokenTtlMinutes: 30,
    maxClicksPerSecond: 25,
    corsOrigins: [],
    loginAttempts: 5,
    registrationsPerHour: 30,
    hashQueue: 16,
    hashQueuePerAddress: 2,
    trustProxy: false,
    maxConnections: 20_000,
    maxMessagesPerSecond: 200,
    maxBytesPerSecond: 65_536,
    reconnectWindowMs: 30_000,
    cookieSecure: false,
    redisUrl: undefined,
    databaseUrl: undefined,
    serverId: undefined,
    advertiseUrl: undefined,
    logFormat: "text",
    logLevel: "info",
    metricsToken: undefined,
    metricsPort: undefined,
  };
  assert.deepEqual(parseConfig({}), expected);
  assert.deepEqual(parseConfig({}, []), expected);
});

Deno.test("parseConfig() reads every variable of the contract", () => {
  const config = parseConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: ":memory:",
    ROUND_SECONDS: "0.5",
    JWT_SECRET: SECRET,
    TOKEN_TTL_MINUTES: "90",
    MAX_CLICKS_PER_SECOND: "20",
    CORS_ORIGINS: "https://a.example, http://localhost:5173/",
    LOGIN_ATTEMPTS: "3",
    REGISTRATIONS_PER_HOUR: "7",
    HASH_QUEUE: "3",
    HASH_QUEUE_PER_ADDRESS: "1",
    TRUST_PROXY: "1",
    MAX_CONNECTIONS: "500",
    MAX_MESSAGES_PER_SECOND: "50",
    MAX_BYTES_PER_SECOND: "4096",
  });
  assert.deepEqual(config, {
    port: 0,
    host: "127.0.0.1",
    databasePath: ":memory:",
    roundDurationMs: 500,
    jwtSecret: SECRET,
    tokenTtlMinutes: 90,
    maxClicksPerSecond: 20,
    corsOrigins: ["https://a.example", "http://localhost:5173"],
    loginAttempts: 3,
    registrationsPerHour: 7,
    hashQueue: 3,
    hashQueuePerAddress: 1,
    trustProxy: true,
    maxConnections: 500,
    maxMessagesPerSecond: 50,
    maxBytesPerSecond: 4096,
    reconnectWindowMs: 30_000,
    cookieSecure: false,
    redisUrl: undefined,
    databaseUrl: undefined,
    serverId: undefined,
    advertiseUrl: undefined,
    logFormat: "text",
    logLevel: "info",
    metricsToken: undefined,
    metricsPort: undefined,
  });
});

Deno.test("parseConfig() ignores variables outside the contract", () => {
  assert.deepEqual(parseConfig({ HOME: "/root", PATH: "/bin", NO_COLOR: "1" }), parseConfig({}));
});

Deno.test("parseConfig() reads TRUST_PROXY's spellings of on and off", () => {
  for (const on of ["1", "true", "TRUE", "yes", "on"]) {
    assert.equal(parseConfig({ TRUST_PROXY: on }).trustProxy, true, on);
  }
  for (const off of ["", "0", "false", "no", "off"]) {
    assert.equal(parseConfig({ TRUST_PROXY: off }).trustProxy, false, off);
  }
});

Deno.test("parseConfig() treats an empty JWT_SECRET or CORS_ORIGINS as unset", () => {
  const config = parseConfig({ JWT_SECRET: "", CORS_ORIGINS: "" });
  assert.equal(config.jwtSecret, undefined);
  assert.deepEqual(config.corsOrigins, []);
});

Deno.test("parseConfig() takes every flag, as --name=value or --name value", () => {
  const config = parseConfig({}, [
    "--port=0",
    "--host",
    "::1",
    "--database-path=/tmp/x.db",
    "--round-seconds",
    "0.5",
    `--jwt-secret=${SECRET}`,
    "--token-ttl-minutes=5",
    "--max-clicks-per-second=10",
    "--cors-origins=https://b.example",
    "--login-attempts=2",
    "--registrations-per-hour=4",
    "--hash-queue=0",
    "--hash-queue-per-address=9",
    "--trust-proxy=on",
    "--max-connections=64",
    "--max-messages-per-second=30",
    "--max-bytes-per-second=2048",
  ]);
  assert.deepEqual(config, {
    port: 0,
    host: "::1",
    databasePath: "/tmp/x.db",
    roundDurationMs: 500,
    jwtSecret: SECRET,
    tokenTtlMinutes: 5,
    maxClicksPerSecond: 10,
    corsOrigins: ["https://b.example"],
    loginAttempts: 2,
    registrationsPerHour: 4,
    hashQueue: 0,
    hashQueuePerAddress: 9,
    trustProxy: true,
    maxConnections: 64,
    maxMessagesPerSecond: 30,
    maxBytesPerSecond: 2048,
    reconnectWindowMs: 30_000,
    cookieSecure: false,
    redisUrl: undefined,
    databaseUrl: undefined,
    serverId: undefined,
    advertiseUrl: undefined,
    logFormat: "text",
    logLevel: "info",
    metricsToken: undefined,
    metricsPort: undefined,
  });
});

Deno.test("parseConfig() lets flags win over the environment", () => {
  const config = parseConfig({ PORT: "8080", ROUND_SECONDS: "30" }, [
    "--port=0",
    "--round-seconds",
    "0.5",
  ]);
  assert.equal(config.port, 0);
  assert.equal(config.roundDurationMs, 500);
});

Deno.test("parseConfig() keeps the environment for variables without a flag", () => {
  const config = parseConfig({ PORT: "8080", HOST: "127.0.0.1" }, ["--port=9090"]);
  assert.equal(config.port, 9090);
  assert.equal(config.host, "127.0.0.1");
});

Deno.test("parseConfig() refuses bad values with a ConfigError naming the variable", () => {
  const cases: [string, string][] = [
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["PORT", ""],
    ["HOST", ""],
    ["DATABASE_PATH", " "],
    ["ROUND_SECONDS", "-1"],
    ["ROUND_SECONDS", "0"],
    ["ROUND_SECONDS", "abc"],
    ["ROUND_SECONDS", "Infinity"],
    ["ROUND_SECONDS", "0.0001"],
    ["TOKEN_TTL_MINUTES", "0"],
    ["TOKEN_TTL_MINUTES", "0.001"],
    ["MAX_CLICKS_PER_SECOND", "1.5"],
    ["MAX_CLICKS_PER_SECOND", "0"],
    ["LOGIN_ATTEMPTS", "0"],
    ["REGISTRATIONS_PER_HOUR", "many"],
    ["TRUST_PROXY", "maybe"],
    ["HASH_QUEUE", "-1"],
    ["HASH_QUEUE_PER_ADDRESS", "0"],
    ["MAX_CONNECTIONS", "0"],
    ["MAX_CONNECTIONS", "lots"],
    ["MAX_MESSAGES_PER_SECOND", "0"],
    ["MAX_BYTES_PER_SECOND", "100"],
    ["CORS_ORIGINS", "not a url"],
    ["CORS_ORIGINS", "https://a.example/path"],
    ["CORS_ORIGINS", "https://a.example,file:///etc"],
    ["JWT_SECRET", "short"],
    ["JWT_SECRET", "x".repeat(31)],
  ];
  for (const [name, value] of cases) assertRefused({ [name]: value }, [], name);
});

Deno.test("parseConfig() names the flag when a flag's value is bad", () => {
  assertRefused({}, ["--port=abc"], "--port");
  assertRefused({}, ["--round-seconds", "0"], "--round-seconds");
});

Deno.test("parseConfig() accepts a flag over a bad environment value", () => {
  assert.equal(parseConfig({ PORT: "abc" }, ["--port=0"]).port, 0);
});

Deno.test("parseConfig() refuses an unknown flag, a stray argument and a flag without value", () => {
  assertRefused({}, ["--nope=1"], "--nope");
  assertRefused({}, ["--PORT=1"], "--PORT");
  assertRefused({}, ["serve"], "serve");
  assertRefused({}, ["--port"], "--port");
});

Deno.test("parseConfig() ends an error message about a bad value on one line", () => {
  assert.throws(() => parseConfig({ PORT: "abc" }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message.includes("\n"), false);
    return true;
  });
});

Deno.test("parseConfig() returns a frozen config, origins included", () => {
  const config = parseConfig({ CORS_ORIGINS: "https://a.example" });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.corsOrigins));
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
});

Deno.test("usage() lists every flag with its variable", () => {
  const text = usage();
  for (
    const name of [
      "PORT",
      "HOST",
      "DATABASE_PATH",
      "ROUND_SECONDS",
      "JWT_SECRET",
      "TOKEN_TTL_MINUTES",
      "MAX_CLICKS_PER_SECOND",
      "CORS_ORIGINS",
      "LOGIN_ATTEMPTS",
      "REGISTRATIONS_PER_HOUR",
      "TRUST_PROXY",
    ]
  ) {
    assert.ok(text.includes(name), name);
    assert.ok(text.includes("--" + name.toLowerCase().replaceAll("_", "-")), name);
  }
});

Deno.test("parseConfig() reads REDIS_URL, DATABASE_URL and SERVER_ID for several servers", () => {
  const config = parseConfig({
    REDIS_URL: "redis://127.0.0.1:6390/2",
    DATABASE_URL: "postgres://clicker@127.0.0.1:5440/clicker",
    SERVER_ID: "web-1",
  });
  assert.equal(config.redisUrl, "redis://127.0.0.1:6390/2");
  assert.equal(config.databaseUrl, "postgres://clicker@127.0.0.1:5440/clicker");
  assert.equal(config.serverId, "web-1");
  const flags = parseConfig({}, [
    "--redis-url=rediss://cache.example:6380",
    "--database-url=postgresql://u:p@db.example/clicker",
  ]);
  assert.equal(flags.redisUrl, "rediss://cache.example:6380");
  assert.equal(flags.databaseUrl, "postgresql://u:p@db.example/clicker");
});

Deno.test("parseConfig() refuses one of REDIS_URL and DATABASE_URL without the other", () => {
  assertRefused({ REDIS_URL: "redis://127.0.0.1:6390" }, [], "DATABASE_URL");
  assertRefused({ DATABASE_URL: "postgres://127.0.0.1/clicker" }, [], "REDIS_URL");
});

Deno.test("parseConfig() refuses a REDIS_URL, DATABASE_URL or SERVER_ID of the wrong shape", () => {
  const pg = "postgres://127.0.0.1/clicker";
  assertRefused({ REDIS_URL: "http://127.0.0.1:6379", DATABASE_URL: pg }, [], "REDIS_URL");
  assertRefused({ REDIS_URL: "not a url", DATABASE_URL: pg }, [], "REDIS_URL");
  assertRefused(
    { REDIS_URL: "redis://127.0.0.1", DATABASE_URL: "mysql://x/y" },
    [],
    "DATABASE_URL",
  );
  assertRefused({ SERVER_ID: "a b" }, [], "SERVER_ID");
  assertRefused({ SERVER_ID: "x".repeat(65) }, [], "SERVER_ID");
});

Deno.test("parseConfig() reads ADVERTISE_URL as an origin", () => {
  assert.equal(
    parseConfig({ ADVERTISE_URL: "http://10.0.0.5:8001" }).advertiseUrl,
    "http://10.0.0.5:8001",
  );
  assert.equal(
    parseConfig({ ADVERTISE_URL: "http://Web-1.internal/" }).advertiseUrl,
    "http://web-1.internal",
  );
  assert.equal(
    parseConfig({}, ["--advertise-url=http://[::1]:8002"]).advertiseUrl,
    "http://[::1]:8002",
  );
});

Deno.test("parseConfig() refuses an ADVERTISE_URL that is not a plain http:// origin", () => {
  for (
    const raw of [
      "10.0.0.5:8001",
      "https://web-1:8001",
      "http://web-1:8001/clicker",
      "http://web-1:8001/?x=1",
      "http://user:pw@web-1:8001",
      "not a url",
    ]
  ) {
    assertRefused({ ADVERTISE_URL: raw }, [], "ADVERTISE_URL");
  }
});

Deno.test("parseConfig() reads RECONNECT_WINDOW_SECONDS and COOKIE_SECURE", () => {
  const config = parseConfig({ RECONNECT_WINDOW_SECONDS: "2.5", COOKIE_SECURE: "1" });
  assert.equal(config.reconnectWindowMs, 2500);
  assert.equal(config.cookieSecure, true);
  assert.equal(parseConfig({}, ["--reconnect-window-seconds=0"]).reconnectWindowMs, 0);
  assertRefused({ RECONNECT_WINDOW_SECONDS: "-1" }, [], "RECONNECT_WINDOW_SECONDS");
  assertRefused({ RECONNECT_WINDOW_SECONDS: "3601" }, [], "RECONNECT_WINDOW_SECONDS");
  assertRefused({ COOKIE_SECURE: "maybe" }, [], "COOKIE_SECURE");
});

Deno.test("parseConfig() reads LOG_FORMAT and LOG_LEVEL, from flags too", () => {
  const config = parseConfig({ LOG_FORMAT: "JSON" }, ["--log-level=debug"]);
  assert.equal(config.logFormat, "json");
  assert.equal(config.logLevel, "debug");
  assert.equal(parseConfig({ LOG_LEVEL: "warning" }).logLevel, "warning");
});

Deno.test("parseConfig() refuses a LOG_FORMAT or LOG_LEVEL it doesn't know", () => {
  assertRefused({ LOG_FORMAT: "xml" }, [], "LOG_FORMAT");
  assertRefused({ LOG_LEVEL: "verbose" }, [], "LOG_LEVEL");
  assertRefused({}, ["--log-level=trace"], "--log-level");
});

Deno.test("parseConfig() reads METRICS_TOKEN and METRICS_PORT, and refuses bad ones", () => {
  const config = parseConfig({ METRICS_TOKEN: "scrape-token-0123456789" }, ["--metrics-port=0"]);
  assert.equal(config.metricsToken, "scrape-token-0123456789");
  assert.equal(config.metricsPort, 0);
  assertRefused({ METRICS_TOKEN: "short" }, [], "METRICS_TOKEN");
  assertRefused({ METRICS_TOKEN: "has a space in it, sixteen+" }, [], "METRICS_TOKEN");
  assertRefused({ METRICS_PORT: "http" }, [], "METRICS_PORT");
});
