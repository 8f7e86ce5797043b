/**
 * The level a request is logged at: `info`, except the checks and scrapes a
 * balancer and Prometheus send every few seconds, which drown the players'
 * requests at `info`; answered well they are `debug`, and a failing one is
 * `info` like any other. Pure; no I/O.
 *
 * @module
 */

/** Routes asked by machines on a timer. */
const PROBES = new Set(["/livez", "/readyz", "/healthz", "/metrics"]);

/** `debug` for a probe answered below 400, else `info`. */
export function requestLevel(route: string, status: number): "debug" | "info" {
  return PROBES.has(route) && status < 400 ? "debug" : "info";
}
