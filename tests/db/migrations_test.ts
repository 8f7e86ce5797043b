import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Kysely, Migrator, sql, SqliteDialect } from "kysely";
import { migrationProvider } from "../../src/db/migrations.ts";
import { sqliteAdapter } from "../../src/db/sqlite_adapter.ts";
import type { Database } from "../../src/db/schema.ts";
import { usernameKey } from "../../src/auth/username_key.ts";
import { checkRekeyed, insertOldPlayers } from "./username_rekey_suite.ts";

function memoryDb(): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqliteAdapter(new DatabaseSync(":memory:")) }),
  });
}

Deno.test("0002_username_key backfills keys, suffixing later look-alikes with #id", async () => {
  const db = memoryDb();
  try {
    const migrator = new Migrator({ db, provider: migrationProvider });
    assert.equal((await migrator.migrateTo("0001_initial")).error, undefined);
    for (const username of ["alice", "bob", "aIice", "a1ice", "rnartin"]) {
      await sql`insert into players (username, email, password_hash, created_at)
        values (${username}, ${username + "@example.com"}, 'x', 0)`.execute(db);
    }
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const rows = await db.selectFrom("players").select(["id", "username", "username_key"])
      .orderBy("id").execute();
    assert.deepEqual(rows.map((row) => [row.username, row.username_key]), [
      ["alice", "allce"],
      ["bob", "bob"],
      ["aIice", `allce#${rows[2].id}`],
      ["a1ice", `allce#${rows[3].id}`],
      ["rnartin", usernameKey("martin")],
    ]);
    // The unique index is in place: a new row with a taken key is refused.
    await assert.rejects(
      sql`insert into players (username, username_key, email, password_hash, created_at)
        values ('ALlCE', 'allce', 'new@example.com', 'x', 0)`.execute(db),
      /UNIQUE constraint failed: players.username_key/,
    );
  } finally {
    await db.destroy();
  }
});

Deno.test("0003_username_skeleton rekeys players by skeleton; look-alikes already there keep their accounts", async () => {
  const db = memoryDb();
  try {
    const migrator = new Migrator({ db, provider: migrationProvider });
    assert.equal((await migrator.migrateTo("0002_username_key")).error, undefined);
    await insertOldPlayers(db);
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    await checkRekeyed(db);
  } finally {
    await db.destroy();
  }
});
