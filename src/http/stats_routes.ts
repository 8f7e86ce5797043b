/**
 * Read-only routes: the leaderboard, recent rounds, a player's history and
 * the health checks: `/livez` (the process answers), `/readyz` (it can take
 * players) and `/healthz` (everything, with several servers also this
 * server's role and the state of Redis and PostgreSQL); see `readiness.ts`.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.ts";
import { leaderboard } from "../db/accounts.ts";
import { recentRounds } from "../db/rounds.ts";
import { playerHistory } from "../db/player_history.ts";
import type { RoundLoopHealth } from "../game_backend.ts";
import type { ClusterHealth } from "../cluster/cluster.ts";
import { healthy, readiness } from "./readiness.ts";
import { errorMessage } from "../log/error_message.ts";

/** What {@linkcode statsRoutes} needs. */
export interface StatsDeps {
  readonly db: Kysely<Database>;
  /** The round loop's state. */
  readonly loopHealth: () => RoundLoopHealth;
  /** Connections and players online. */
  readonly online: () => { players: number; connections: number };
  /** With several servers: this server's role and Redis's state. */
  readonly cluster?: () => Promise<ClusterHealth>;
  /** Who answers: added to `/healthz` and `/readyz` when given. */
  readonly identity?: ServerIdentity;
}

/** Which server answers, for an operator looking at many. */
export interface ServerIdentity {
  readonly serverId: string;
  readonly version: string;
  readonly mode: "single" | "cluster";
  /** Seconds since the server started. */
  uptime(): number;
}

function identityOf(identity: ServerIdentity | undefined) {
  if (identity === undefined) return {};
  const { serverId, version, mode } = identity;
  return { serverId, version, mode, uptime: identity.uptime() };
}

/** Parses `?limit=`: default 10, from 1 to 100; anything else is a 400. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 10;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 100) {
    throw new HTTPException(400, { message: "limit must be a whole number from 1 to 100" });
  }
  return value;
}

/** Parses `?before=`: absent, or a whole number of at least 1; anything else is a 400. */
export function parseBefore(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) {
    throw new HTTPException(400, { message: "before must be a round id (a whole number)" });
  }
  return value;
}

/** Parses `?all=`: `true` or `1` lists every round, `false`, `0` or absent the played ones. */
export function parseAll(raw: string | undefined): boolean {
  if (raw === undefined || raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new HTTPException(400, { message: "all must be true or false" });
}

/** `/api/leaderboard`, `/api/rounds`, `/api/players/{username}` and `/healthz`. */
export function statsRoutes(deps: StatsDeps): Hono {
  const app = new Hono();

  app.get("/api/leaderboard", async (c) => {
    return c.json(await leaderboard(deps.db, parseLimit(c.req.query("limit"))));
  });

  app.get("/api/rounds", async (c) => {
    const limit = parseLimit(c.req.query("limit"));
    const all = parseAll(c.req.query("all"));
    const before = parseBefore(c.req.query("before"));
    return c.json(await recentRounds(deps.db, limit, { all, before }));
  });

  app.get("/api/players/:username", async (c) => {
    // Paths are matched lowercased; the name is read as sent (the lookup ignores case anyway).
    const segment = new URL(c.req.url).pathname.split("/").filter((s) => s !== "").at(-1) ?? "";
    let username: string;
    try {
      username = decodeURIComponent(segment);
    } catch {
      throw new HTTPException(400, { message: "Cannot read username: bad percent-encoding" });
    }
    const history = await playerHistory(deps.db, username);
    if (history === undefined) {
      return c.json({ message: `Player '${username}' not found` }, 404);
    }
    return c.json(history);
  });

  /** What the server sees now: a `select 1`, Redis's state, the round loop. */
  const facts = async () => {
    let database = "ok";
    try {
      await sql`select 1`.execute(deps.db);
    } catch (error) {
      database = errorMessage(error) || "unreachable";
    }
    const cluster = await deps.cluster?.();
    return { database, cluster, redis: cluster?.redis, loop: deps.loopHealth() };
  };

  // Answers as long as the process does: for an orchestrator's liveness probe.
  app.get("/livez", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    const seen = await facts();
    const status = readiness(seen);
    const checks = seen.cluster
      ? { redis: seen.cluster.redis, postgres: seen.database }
      : { database: seen.database };
    return c.json(
      { status, ...identityOf(deps.identity), roundLoop: { running: seen.loop.running }, checks },
      status === "unavailable" ? 503 : 200,
    );
  });

  app.get("/healthz", async (c) => {
    const seen = await facts();
    const { database, cluster, loop } = seen;
    const ok = healthy(seen);
    // With several servers `database` is PostgreSQL, also named as such.
    const shared = cluster && {
      role: cluster.role,
      redis: cluster.redis,
      redisLost: cluster.redisLost,
      postgres: database,
    };
    return c.json(
      {
        status: ok ? "ok" : "unavailable",
        ...identityOf(deps.identity),
        ...shared,
        database,
        roundLoop: loop,
        online: deps.online(),
      },
      ok ? 200 : 503,
    );
  });

  return app;
}
