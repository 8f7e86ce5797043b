/**
 * The queries of `src/db/accounts.ts`, written once and run on each SQL
 * dialect: SQLite (`accounts_test.ts`) and PostgreSQL
 * (`tests/cluster/postgres_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import {
  createPlayer,
  findPlayerByUsername,
  findTaken,
  leaderboard,
  winsOf,
} from "../../src/db/accounts.ts";
import { type QueryDialect, queryTest } from "./query_dialect.ts";

function input(username: string, email = `${username}@example.com`) {
  return { username, email, passwordHash: `hash-of-${username}`, createdAt: 1_000 };
}

async function setWins(db: Kysely<Database>, id: number, wins: number): Promise<void> {
  await db.updateTable("players").set({ nb_wins: wins }).where("id", "=", id).execute();
}

/** Registers the account query tests for `dialect`. */
export function accountQueries(dialect: QueryDialect): void {
  queryTest(dialect, "createPlayer() stores a player and returns its id", async (db) => {
    const a = await createPlayer(db, input("alice"));
    const b = await createPlayer(db, input("bob"));
    assert.ok(a.ok && b.ok);
    assert.notEqual(a.id, b.id);
    assert.deepEqual({ ...(await findPlayerByUsername(db, "alice")) }, {
      id: a.id,
      username: "alice",
      username_key: "allce",
      email: "alice@example.com",
      password_hash: "hash-of-alice",
      nb_wins: 0,
      created_at: 1_000,
    });
  });

  queryTest(dialect, "createPlayer() reports a username taken in any case", async (db) => {
    assert.ok((await createPlayer(db, input("Alice"))).ok);
    assert.deepEqual(await createPlayer(db, input("alice", "other@example.com")), {
      ok: false,
      taken: "username",
    });
    assert.deepEqual(await createPlayer(db, input("ALICE", "third@example.com")), {
      ok: false,
      taken: "username",
    });
  });

  queryTest(
    dialect,
    "createPlayer() reports a username that reads like a taken one as taken",
    async (db) => {
      assert.ok((await createPlayer(db, input("alice"))).ok);
      assert.ok((await createPlayer(db, input("jean.luc"))).ok);
      for (const lookAlike of ["aIice", "a1ice", "AL1CE", "ａｌｉｃｅ", "jean_luc", "Jean-Luc"]) {
        assert.deepEqual(
          await createPlayer(db, input(lookAlike, `${crypto.randomUUID()}@example.com`)),
          { ok: false, taken: "username" },
          lookAlike,
        );
      }
      assert.ok((await createPlayer(db, input("alicia"))).ok, "a different name is fine");
    },
  );

  queryTest(dialect, "createPlayer() reports an email taken in any case", async (db) => {
    assert.ok((await createPlayer(db, input("alice", "Alice@Example.com"))).ok);
    assert.deepEqual(await createPlayer(db, input("bob", "alice@example.COM")), {
      ok: false,
      taken: "email",
    });
  });

  queryTest(
    dialect,
    "createPlayer() throws when something other than a taken name or email refuses the row",
    async (db) => {
      await dialect.refusePlayers(db);
      await assert.rejects(() => createPlayer(db, input("alice")), /closed/);
    },
  );

  queryTest(
    dialect,
    "createPlayer() lets exactly one of two racing inserts of one name win",
    async (db) => {
      const results = await Promise.all([
        createPlayer(db, input("racer", "one@example.com")),
        createPlayer(db, input("RACER", "two@example.com")),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.deepEqual(results.find((r) => !r.ok), { ok: false, taken: "username" });
    },
  );

  queryTest(
    dialect,
    "findTaken() names the username (read alike) or the email taken, or nothing",
    async (db) => {
      await createPlayer(db, input("Alice", "alice@example.com"));
      assert.equal(await findTaken(db, { username: "bob", email: "bob@example.com" }), undefined);
      assert.equal(await findTaken(db, { username: "ALICE", email: "x@example.com" }), "username");
      assert.equal(await findTaken(db, { username: "aIice", email: "x@example.com" }), "username");
      assert.equal(await findTaken(db, { username: "bob", email: "ALICE@example.com" }), "email");
      assert.equal(
        await findTaken(db, { username: "a1ice", email: "alice@example.com" }),
        "username",
      );
    },
  );

  queryTest(dialect, "findTaken() finds a name in a row written without a key", async (db) => {
    await db.insertInto("players").values({
      username: "carol",
      email: "carol@example.com",
      password_hash: "x",
      created_at: 0,
    }).execute();
    assert.equal(await findTaken(db, { username: "CAROL", email: "y@example.com" }), "username");
  });

  queryTest(
    dialect,
    "findPlayerByUsername() ignores case and returns undefined for a stranger",
    async (db) => {
      await createPlayer(db, input("Alice"));
      assert.equal((await findPlayerByUsername(db, "aLiCe"))?.username, "Alice");
      assert.equal(await findPlayerByUsername(db, "nobody"), undefined);
    },
  );

  queryTest(
    dialect,
    "winsOf() gives a player's wins, and undefined for an unknown id",
    async (db) => {
      const a = await createPlayer(db, input("alice"));
      assert.ok(a.ok);
      assert.equal(await winsOf(db, a.id), 0);
      await setWins(db, a.id, 4);
      assert.equal(await winsOf(db, a.id), 4);
      assert.equal(await winsOf(db, a.id + 100), undefined);
    },
  );

  queryTest(
    dialect,
    "leaderboard() lists most wins first, ties by registration, none without wins",
    async (db) => {
      const wins: Record<string, number> = { ann: 2, ben: 5, cat: 0, dan: 2, eve: 9 };
      for (const [name, n] of Object.entries(wins)) {
        const created = await createPlayer(db, input(name));
        assert.ok(created.ok);
        await setWins(db, created.id, n);
      }
      assert.deepEqual((await leaderboard(db, 10)).map((row) => ({ ...row })), [
        { username: "eve", nbWins: 9 },
        { username: "ben", nbWins: 5 },
        { username: "ann", nbWins: 2 },
        { username: "dan", nbWins: 2 },
      ]);
      assert.deepEqual((await leaderboard(db, 2)).map((row) => row.username), ["eve", "ben"]);
    },
  );

  queryTest(dialect, "leaderboard() is empty with no players", async (db) => {
    assert.deepEqual((await leaderboard(db, 10)).map((row) => ({ ...row })), []);
  });
}
