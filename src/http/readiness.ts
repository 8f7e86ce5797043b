/**
 * What the health checks conclude from what the server sees now. Pure; the
 * routes gather the facts (a `select 1`, Redis's state, the round loop) and
 * answer with these verdicts.
 *
 * - `/livez`: the process answers; nothing to conclude.
 * - `/readyz`: this server can take players. One server needs its SQLite
 *   database and a running round loop. With several servers play lives in
 *   Redis: Redis and a running loop make a server ready, and PostgreSQL
 *   being down only makes it `degraded` (rounds wait to be recorded, play
 *   goes on), so a balancer keeps every server in its pool through such an
 *   outage instead of dropping them all.
 * - `/healthz`: everything is well, the rounds recorded included.
 *
 * @module
 */

import type { RoundLoopHealth } from "../game_backend.ts";

/** What the server sees now. */
export interface HealthFacts {
  /** `"ok"`, or why the database (SQLite, or PostgreSQL with several servers) can't be used. */
  readonly database: string;
  /** With several servers: `"ok"`, or why Redis can't be used; `undefined` for one server. */
  readonly redis?: string;
  readonly loop: RoundLoopHealth;
}

/** `/readyz`'s verdict. */
export type Readiness = "ready" | "degraded" | "unavailable";

/** Whether this server can take players now (see the module's notes). */
export function readiness(facts: HealthFacts): Readiness {
  if (!facts.loop.running) return "unavailable";
  if (facts.redis === undefined) return facts.database === "ok" ? "ready" : "unavailable";
  if (facts.redis !== "ok") return "unavailable";
  return facts.database === "ok" ? "ready" : "degraded";
}

/** Whether all is well: the database and Redis answer, and every ended round is recorded. */
export function healthy(facts: HealthFacts): boolean {
  const { loop } = facts;
  return facts.database === "ok" && loop.running && loop.unrecorded === 0 &&
    (loop.lastUnitOfWork === null || loop.lastUnitOfWork.ok) &&
    (facts.redis === undefined || facts.redis === "ok");
}
