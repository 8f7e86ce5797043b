/**
 * Whether each dependency answers now, asked at scrape time for
 * `clicker_dependency_up`: SQLite for one server, Redis and PostgreSQL for
 * several.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.ts";
import type { ClusterHealth } from "../cluster/cluster.ts";

/** Whether each dependency answers now: SQLite alone, or Redis and PostgreSQL. */
export async function dependenciesUp(
  db: Kysely<Database>,
  cluster: (() => Promise<ClusterHealth>) | undefined,
): Promise<Record<string, boolean>> {
  const database = await sql`select 1`.execute(db).then(() => true, () => false);
  if (cluster === undefined) return { SQLite: database };
  const { redis } = await cluster();
  return { Redis: redis === "ok", PostgreSQL: database };
}
