/**
 * The configuration as the start-up log line shows it: every setting, with
 * the token secret reduced to whether it is set and the passwords in the
 * Redis and PostgreSQL URLs replaced. Pure; no I/O.
 *
 * @module
 */

import type { Config } from "../config.ts";

/** `url` with its password (and user name's secrets) replaced by `[redacted]`. */
export function redactedServiceUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "[redacted]";
    // A password may also travel in the query (`?password=`).
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token/i.test(key)) parsed.searchParams.set(key, "[redacted]");
    }
    return parsed.href;
  } catch {
    return "[redacted]";
  }
}

/** `config` without secrets, to log. */
export function configFields(config: Config): Record<string, unknown> {
  return {
    ...config,
    jwtSecret: config.jwtSecret === undefined ? "generated" : "[redacted]",
    metricsToken: config.metricsToken === undefined ? undefined : "[redacted]",
    redisUrl: config.redisUrl && redactedServiceUrl(config.redisUrl),
    databaseUrl: config.databaseUrl && redactedServiceUrl(config.databaseUrl),
  };
}
