/**
 * Stored settings, such as the generated token secret.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** The stored value of `key`, or `undefined`. */
export async function getSetting(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", key)
    .executeTakeFirst();
  return row?.value;
}

/**
 * Stores `value` under `key` unless a value is there already, and returns the
 * stored one: two servers starting at once on one file agree on a single value.
 */
export async function settleSetting(
  db: Kysely<Database>,
  key: string,
  value: string,
): Promise<string> {
  await db.insertInto("settings").values({ key, value })
    .onConflict((oc) => oc.column("key").doNothing()).execute();
  return (await getSetting(db, key)) ?? value;
}
