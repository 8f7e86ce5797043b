/**
 * One check of the migration that rekeys usernames by confusable skeletons,
 * run on SQLite (`migrations_test.ts`) and PostgreSQL
 * (`tests/cluster/postgres_migrations_test.ts`): players registered under
 * the old key keep their accounts, and look-alikes are refused from then on.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import { createPlayer, findPlayerByUsername } from "../../src/db/accounts.ts";
import { usernameKey } from "../../src/auth/username_key.ts";

// Each with the key the old fold gave it (NFKC, lower case, i/l/1 and friends).
const EXISTING: readonly (readonly [string, string])[] = [
  ["alice", "allce"],
  ["bob", "bob"],
  // Written by another tool: Cyrillic а. The old fold kept it apart from alice.
  ["\u0430lice", "\u0430llce"],
  ["p\u0430yp\u0430l", "p\u0430yp\u0430l"],
  ["paypal", "paypal"],
];

/** Inserts {@linkcode EXISTING} into a database migrated up to the old key. */
export async function insertOldPlayers(db: Kysely<Database>): Promise<void> {
  for (const [username, key] of EXISTING) {
    await sql`insert into players (username, username_key, email, password_hash, created_at)
      values (${username}, ${key}, ${username + "@example.com"}, 'x', 0)`.execute(db);
  }
}

/** Checks the players of {@linkcode insertOldPlayers} after the migration to the latest. */
export async function checkRekeyed(db: Kysely<Database>): Promise<void> {
  const rows = await db.selectFrom("players").select(["id", "username", "username_key"])
    .orderBy("id").execute();
  const id = (name: string) => rows.find((row) => row.username === name)!.id;
  assert.deepEqual(rows.map((row) => [row.username, row.username_key]), [
    ["alice", usernameKey("alice")],
    ["bob", "bob"],
    // Now the same name as alice: the later of the two keeps a key of its own.
    ["\u0430lice", `${usernameKey("alice")}#${id("\u0430lice")}`],
    ["p\u0430yp\u0430l", "paypal"],
    ["paypal", `paypal#${id("paypal")}`],
  ]);
  // Every one of them still logs in by name.
  for (const [username] of EXISTING) {
    assert.equal((await findPlayerByUsername(db, username))?.username, username, username);
  }
  // New look-alikes of either are refused.
  for (const username of ["AL1CE", "\u0410LICE", "PAYPAL", "p\u0430ypal"]) {
    const created = await createPlayer(db, {
      username,
      email: `new-${rows.length}-${username}@example.com`,
      passwordHash: "x",
      createdAt: 0,
    });
    assert.deepEqual(created, { ok: false, taken: "username" }, username);
  }
  assert.equal(
    (await createPlayer(db, {
      username: "Zoë",
      email: "zoe@example.com",
      passwordHash: "x",
      createdAt: 0,
    }))
      .ok,
    true,
  );
  assert.equal((await findPlayerByUsername(db, "ZOË"))?.username, "Zoë");
}
