/**
 * Server configuration, read once from the environment and command-line flags.
 *
 * Every variable of the contract has a flag of the same meaning: `PORT=0` and
 * `--port=0` are the same. Flags win over the environment. A bad value throws
 * a {@linkcode ConfigError} whose message names the variable and what it
 * accepts; `main.ts` prints it and exits with code 2.
 *
 * @module
 */

import { LOG_LEVELS, type LogFormat, type LogLevelName } from "./log/log_line.ts";

/** The whole server configuration; frozen, never read from anywhere else. */
export interface Config {
  /** HTTP port; 0 picks a free one. */
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  /** SQLite file, or `:memory:`. */
  readonly databasePath: string;
  /** Round length in milliseconds. */
  readonly roundDurationMs: number;
  /** HMAC key for tokens; `undefined` means generate once and keep in the database. */
  readonly jwtSecret: string | undefined;
  /** Token lifetime in minutes. */
  readonly tokenTtlMinutes: number;
  /** Per-player click cap. */
  readonly maxClicksPerSecond: number;
  /** Origins allowed to call the API and open the hub from another origin. */
  readonly corsOrigins: readonly string[];
  /** Failed logins per username and address per 15 minutes before 429 (an address gets 4×). */
  readonly loginAttempts: number;
  /** Registration attempts that cost a password hash, per client address per hour. */
  readonly registrationsPerHour: number;
  /** Password hashes waiting for a turn at most; more are refused with 503. */
  readonly hashQueue: number;
  /** Password hashes running or waiting per client address at most; more get 503. */
  readonly hashQueuePerAddress: number;
  /** Take the client address from `X-Forwarded-For`. */
  readonly trustProxy: boolean;
  /** Open connections at most (kept under the process's file limit). */
  readonly maxConnections: number;
  /** WebSocket messages one connection may send a second. */
  readonly maxMessagesPerSecond: number;
  /** WebSocket bytes one connection may send a second. */
  readonly maxBytesPerSecond: number;
  /** How long a connection that lost its socket may resume (stateful reconnect); 0 turns it off. */
  readonly reconnectWindowMs: number;
  /** Mark the sign-in cookie `Secure` whatever the request came over (behind HTTPS). */
  readonly cookieSecure: boolean;
  /** Redis shared by several servers (`redis://…`); set with `databaseUrl`, or neither. */
  readonly redisUrl: string | undefined;
  /** PostgreSQL shared by several servers (`postgres://…`); set with `redisUrl`, or neither. */
  readonly databaseUrl: string | undefined;
  /** This server's name among several; `undefined` means made up at start. */
  readonly serverId: string | undefined;
  /**
   * With several servers, where the others reach this one (an `http://`
   * origin); `undefined` means `http://HOST:PORT`, 127.0.0.1 for a wildcard HOST.
   */
  readonly advertiseUrl: string | undefined;
  /** How log lines are written: `text` for people, `json` for log collectors. */
  readonly logFormat: LogFormat;
  /** The lowest level logged. */
  readonly logLevel: LogLevelName;
  /** The bearer token `/metrics` asks for; `undefined`: none. */
  readonly metricsToken: string | undefined;
  /** A port of its own for `/metrics` (0 picks one); `undefined`: served on `port`. */
  readonly metricsPort: number | undefined;
}

/** A configuration value that can't be used; `main.ts` exits with code 2 on it. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** How one field of {@linkcode Config}, of type `T`, is read. */
interface Setting<T> {
  /** The environment variable; the flag is its name in kebab case. */
  readonly env: string;
  /** The raw value when neither the flag nor the variable is set. */
  readonly fallback: string;
  /** Checks the raw value; `name` is the variable or flag it came from, for the message. */
  readonly parse: (raw: string, name: string) => T;
}

/** One row per field of {@linkcode Config}: a missing or extra row fails the type check. */
type Settings = { readonly [K in keyof Config]: Setting<Config[K]> };

function integer(min: number, max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
}

function positive(max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || value > max) {
      throw new ConfigError(`${name} must be a number above 0 and at most ${max}, got "${raw}"`);
    }
    return value;
  };
}

function nonNegative(max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0 || value > max) {
      throw new ConfigError(`${name} must be a number from 0 to ${max}, got "${raw}"`);
    }
    return value;
  };
}

// A value that rounds to 0 in the unit the server uses (a round of 0 ms, a
// token dead on arrival) is refused here rather than failing later.
function atLeastOne(max: number, scale: number, unit: string) {
  const check = positive(max);
  return (raw: string, name: string): number => {
    const value = check(raw, name);
    if (Math.round(value * scale) < 1) {
      throw new ConfigError(`${name} must be at least 1 ${unit}, got "${raw}"`);
    }
    return value;
  };
}

function nonEmpty(raw: string, name: string): string {
  if (raw.trim() === "") throw new ConfigError(`${name} must not be empty`);
  return raw;
}

function flag(raw: string, name: string): boolean {
  const value = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["", "0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (also true/false, on/off), got "${raw}"`);
}

function origins(raw: string, name: string): readonly string[] {
  const list = raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
  return Object.freeze(list.map((item) => {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new ConfigError(`${name} must list origins like https://example.com, got "${item}"`);
    }
    if (url.origin === "null" || url.origin !== item.replace(/\/$/, "")) {
      throw new ConfigError(`${name} must list origins like https://example.com, got "${item}"`);
    }
    return url.origin;
  }));
}

function secret(raw: string, name: string): string | undefined {
  if (raw === "") return undefined;
  if (new TextEncoder().encode(raw).length < 32) {
    throw new ConfigError(`${name} must be at least 32 bytes long (or unset to generate one)`);
  }
  return raw;
}

/** A count, such as of attempts or connections. */
const count = integer(1, 1_000_000);
/** A rate per second. */
const perSecond = integer(1, 1_000_000_000);

const SETTINGS: Settings = {
  port: { env: "PORT", fallback: "8000", parse: integer(0, 65535) },
  host: { env: "HOST", fallback: "0.0.0.0", parse: nonEmpty },
  databasePath: { env: "DATABASE_PATH", fallback: "data/clicker.db", parse: nonEmpty },
  roundDurationMs: {
    env: "ROUND_SECONDS",
    fallback: "30",
    parse: (raw, name) => Math.round(atLeastOne(86_400, 1000, "ms")(raw, name) * 1000),
  },
  jwtSecret: { env: "JWT_SECRET", fallback: "", parse: secret },
  tokenTtlMinutes: {
    env: "TOKEN_TTL_MINUTES",
    fallback: "30",
    parse: atLeastOne(525_600, 60, "second"),
  },
  maxClicksPerSecond: { env: "MAX_CLICKS_PER_SECOND", fallback: "25", parse: perSecond },
  corsOrigins: { env: "CORS_ORIGINS", fallback: "", parse: origins },
  loginAttempts: { env: "LOGIN_ATTEMPTS", fallback: "5", parse: count },
  registrationsPerHour: { env: "REGISTRATIONS_PER_HOUR", fallback: "30", parse: count },
  hashQueue: { env: "HASH_QUEUE", fallback: "16", parse: integer(0, 1_000_000) },
  hashQueuePerAddress: { env: "HASH_QUEUE_PER_ADDRESS", fallback: "2", parse: count },
  trustProxy: { env: "TRUST_PROXY", fallback: "", parse: flag },
  maxConnections: { env: "MAX_CONNECTIONS", fallback: "20000", parse: count },
  maxMessagesPerSecond: { env: "MAX_MESSAGES_PER_SECOND", fallback: "200", parse: perSecond },
  maxBytesPerSecond: {
    env: "MAX_BYTES_PER_SECOND",
    fallback: "65536",
    parse: integer(1024, 1_000_000_000),
  },
  reconnectWindowMs: {
    env: "RECONNECT_WINDOW_SECONDS",
    fallback: "30",
    parse: (raw, name) => Math.round(nonNegative(3600)(raw, name) * 1000),
  },
  cookieSecure: { env: "COOKIE_SECURE", fallback: "", parse: flag },
  redisUrl: { env: "REDIS_URL", fallback: "", parse: serviceUrl("redis:", "rediss:") },
  databaseUrl: {
    env: "DATABASE_URL",
    fallback: "",
    parse: serviceUrl("postgres:", "postgresql:"),
  },
  serverId: { env: "SERVER_ID", fallback: "", parse: serverName },
  advertiseUrl: { env: "ADVERTISE_URL", fallback: "", parse: httpOrigin },
  logFormat: { env: "LOG_FORMAT", fallback: "text", parse: oneOf(["text", "json"] as const) },
  logLevel: { env: "LOG_LEVEL", fallback: "info", parse: oneOf(LOG_LEVELS) },
  metricsToken: { env: "METRICS_TOKEN", fallback: "", parse: token },
  metricsPort: {
    env: "METRICS_PORT",
    fallback: "",
    parse: (raw, name) => raw.trim() === "" ? undefined : integer(0, 65535)(raw, name),
  },
};

function token(raw: string, name: string): string | undefined {
  if (raw === "") return undefined;
  if (!/^[\x21-\x7e]{16,}$/.test(raw)) {
    throw new ConfigError(`${name} must be at least 16 printable characters without spaces`);
  }
  return raw;
}

/** One of `values`, compared without case. */
function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, name: string): T => {
    const value = values.find((v) => v === raw.trim().toLowerCase());
    if (value === undefined) {
      throw new ConfigError(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
    }
    return value;
  };
}

/** A URL with one of `schemes` (e.g. `redis:`), or `undefined` when empty. */
function serviceUrl(...schemes: string[]) {
  return (raw: string, name: string): string | undefined => {
    if (raw.trim() === "") return undefined;
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw new ConfigError(`${name} must be a URL like ${schemes[0]}//host:port/…`);
    }
    if (!schemes.includes(url.protocol) || url.hostname === "") {
      throw new ConfigError(`${name} must be a URL like ${schemes[0]}//host:port/…`);
    }
    return raw.trim();
  };
}

/** An `http://` origin (scheme, host, port), or `undefined` when empty. */
function httpOrigin(raw: string, name: string): string | undefined {
  if (raw.trim() === "") return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    // refused below
  }
  if (
    url === undefined || url.protocol !== "http:" || url.hostname === "" ||
    url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" ||
    url.hash !== ""
  ) {
    throw new ConfigError(`${name} must be an origin like http://10.0.0.5:8000, got "${raw}"`);
  }
  return url.origin;
}

function serverName(raw: string, name: string): string | undefined {
  if (raw === "") return undefined;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) {
    throw new ConfigError(`${name} must be 1 to 64 of letters, digits, _, - and ., got "${raw}"`);
  }
  return raw;
}

function flagName(env: string): string {
  return "--" + env.toLowerCase().replaceAll("_", "-");
}

/** Every row, in the order `usage()` lists them. */
const ROWS = Object.values(SETTINGS);

/** Usage text listing every flag with its variable and default. */
export function usage(): string {
  const lines = ROWS.map((s) =>
    `  ${flagName(s.env).padEnd(26)} ${s.env} (default: ${
      s.fallback === "" ? "unset" : s.fallback
    })`
  );
  return ["Usage: clicker [--flag=value ...]", ...lines].join("\n");
}

/**
 * Reads the configuration from environment variables and `--flag=value`
 * arguments (flags win). Throws {@linkcode ConfigError} on a bad value or an
 * unknown flag.
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[] = [],
): Config {
  const fromFlags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const setting = match && ROWS.find((s) => flagName(s.env) === `--${match[1]}`);
    if (!match || !setting) {
      throw new ConfigError(`Unknown argument "${arg}"; flags are:\n${usage()}`);
    }
    let value = match[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new ConfigError(`${flagName(setting.env)} needs a value`);
    }
    fromFlags.set(setting.env, value);
  }
  const config = readAll(SETTINGS, (setting) => {
    const fromFlag = fromFlags.get(setting.env);
    const raw = fromFlag ?? env[setting.env] ?? setting.fallback;
    return setting.parse(raw, fromFlag === undefined ? setting.env : flagName(setting.env));
  });
  // Half a cluster would quietly play a game of its own on SQLite.
  if ((config.redisUrl === undefined) !== (config.databaseUrl === undefined)) {
    const [set, unset] = config.redisUrl === undefined
      ? ["DATABASE_URL", "REDIS_URL"]
      : ["REDIS_URL", "DATABASE_URL"];
    throw new ConfigError(`${set} is set but ${unset} is not: several servers need both`);
  }
  return Object.freeze(config);
}

/** Reads every row of `settings` into the object they describe. */
function readAll<T>(
  settings: { readonly [K in keyof T]: Setting<T[K]> },
  read: <V>(setting: Setting<V>) => V,
): T {
  const values: { -readonly [K in keyof T]?: T[K] } = {};
  for (const key in settings) values[key] = read(settings[key]);
  // Whole: the type of `settings` gives it a row for every key of T, and each was read.
  return values as T;
}
