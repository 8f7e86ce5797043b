/**
 * Recomputes every player's look-alike key (`usernameKey`), for a migration
 * that changes how names are folded. The same code serves SQLite and
 * PostgreSQL.
 *
 * @module
 */

import { type Kysely, sql } from "kysely";
import { usernameKey } from "../auth/username_key.ts";

/**
 * Sets each player's `username_key` to the key of their username. Two
 * existing players whose names now read alike both keep their accounts
 * (login goes by the username, not the key): the later one's key is made
 * unique with its id, so only new look-alikes of either are refused. Run
 * inside the migration's transaction.
 */
export async function rekeyUsernames(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ id: number; username: string }>`
    select id, username from players order by id`.execute(db);
  // Cleared first, so no new key collides with an old one not yet rewritten
  // (the unique index lets NULLs repeat in both databases).
  await sql`update players set username_key = null`.execute(db);
  const seen = new Set<string>();
  for (const row of rows) {
    let key = usernameKey(row.username);
    if (seen.has(key)) key = `${key}#${row.id}`;
    seen.add(key);
    await sql`update players set username_key = ${key} where id = ${row.id}`.execute(db);
  }
}
