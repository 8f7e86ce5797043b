import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { type Generated, Kysely, SqliteDialect } from "kysely";
import { sqliteAdapter } from "../../src/db/sqlite_adapter.ts";

function open() {
  const sqlite = new DatabaseSync(":memory:");
  sqlite.exec("create table t (id integer primary key, flag integer, label text)");
  return { sqlite, adapter: sqliteAdapter(sqlite) };
}

Deno.test("sqliteAdapter() marks statements that return rows as readers", () => {
  const { adapter } = open();
  try {
    assert.equal(adapter.prepare("select * from t").reader, true);
    assert.equal(adapter.prepare("select 1").reader, true);
    assert.equal(adapter.prepare("insert into t (flag) values (?) returning id").reader, true);
    assert.equal(adapter.prepare("insert into t (flag) values (?)").reader, false);
    assert.equal(adapter.prepare("update t set flag = 1").reader, false);
    assert.equal(adapter.prepare("delete from t").reader, false);
  } finally {
    adapter.close();
  }
});

Deno.test("sqliteAdapter() binds booleans as 1 and 0, and undefined as null", () => {
  const { adapter } = open();
  try {
    const insert = adapter.prepare("insert into t (flag, label) values (?, ?)");
    insert.run([true, "yes"]);
    insert.run([false, undefined]);
    const rows = adapter.prepare("select flag, label from t order by id").all([]);
    assert.deepEqual(rows.map((row) => ({ ...(row as object) })), [
      { flag: 1, label: "yes" },
      { flag: 0, label: null },
    ]);
  } finally {
    adapter.close();
  }
});

Deno.test("sqliteAdapter() run() returns the changes and the last row id", () => {
  const { adapter } = open();
  try {
    const insert = adapter.prepare("insert into t (flag) values (?)");
    assert.deepEqual(insert.run([1]), { changes: 1, lastInsertRowid: 1 });
    assert.deepEqual(insert.run([2]), { changes: 1, lastInsertRowid: 2 });
    const result = adapter.prepare("update t set label = ?").run(["x"]);
    assert.equal(Number(result.changes), 2);
    assert.equal(Number(adapter.prepare("delete from t where id = ?").run([99]).changes), 0);
  } finally {
    adapter.close();
  }
});

Deno.test("sqliteAdapter() iterate() yields each row", () => {
  const { adapter } = open();
  try {
    for (const flag of [3, 1, 2]) adapter.prepare("insert into t (flag) values (?)").run([flag]);
    const flags = [...adapter.prepare("select flag from t order by flag").iterate([])]
      .map((row) => (row as { flag: number }).flag);
    assert.deepEqual(flags, [1, 2, 3]);
  } finally {
    adapter.close();
  }
});

Deno.test("sqliteAdapter() reuses a prepared statement for the same SQL", () => {
  const { adapter } = open();
  try {
    assert.equal(adapter.prepare("select 1"), adapter.prepare("select 1"));
    assert.notEqual(adapter.prepare("select 1"), adapter.prepare("select 2"));
  } finally {
    adapter.close();
  }
});

Deno.test("sqliteAdapter() close() closes the database, and a second close is harmless", () => {
  const { sqlite, adapter } = open();
  adapter.close();
  assert.equal(sqlite.isOpen, false);
  adapter.close();
});

Deno.test("sqliteAdapter() drives Kysely's SqliteDialect, booleans included", async () => {
  const sqlite = new DatabaseSync(":memory:");
  const db = new Kysely<{ t: { id: Generated<number>; flag: number | boolean; label: string } }>({
    dialect: new SqliteDialect({ database: sqliteAdapter(sqlite) }),
  });
  try {
    await db.schema.createTable("t").addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("flag", "integer").addColumn("label", "text").execute();
    const inserted = await db.insertInto("t").values({ flag: true, label: "a" }).returning("id")
      .executeTakeFirstOrThrow();
    assert.equal(inserted.id, 1);
    const updated = await db.updateTable("t").set({ flag: false }).where("id", "=", 1)
      .executeTakeFirst();
    assert.equal(updated.numUpdatedRows, 1n);
    const row = await db.selectFrom("t").selectAll().executeTakeFirstOrThrow();
    assert.deepEqual({ ...row }, { id: 1, flag: 0, label: "a" });
  } finally {
    await db.destroy();
  }
  assert.equal(sqlite.isOpen, false);
});

Deno.test("sqliteAdapter() tells whether a transaction is open", () => {
  const { adapter } = open();
  try {
    assert.equal(adapter.inTransaction, false);
    adapter.prepare("begin").run([]);
    assert.equal(adapter.inTransaction, true);
    adapter.prepare("commit").run([]);
    assert.equal(adapter.inTransaction, false);
  } finally {
    adapter.close();
  }
  assert.equal(adapter.inTransaction, false, "a closed database has none");
});

Deno.test("sqliteAdapter() keeps SQLite's own error when SQLite already rolled the transaction back", async () => {
  const sqlite = new DatabaseSync(":memory:");
  const db = new Kysely<{ t: { id: Generated<number>; flag: number; label: string } }>({
    dialect: new SqliteDialect({ database: sqliteAdapter(sqlite) }),
  });
  try {
    sqlite.exec("create table t (id integer primary key, flag integer, label text)");
    // RAISE(ROLLBACK) ends the whole transaction, as a commit on a full disk does.
    sqlite.exec(
      "create trigger veto before insert on t when new.flag = 13 " +
        "begin select raise(rollback, 'vetoed by trigger'); end",
    );
    await assert.rejects(
      () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto("t").values({ flag: 1, label: "kept?" }).execute();
          await trx.insertInto("t").values({ flag: 13, label: "vetoed" }).execute();
        }),
      /vetoed by trigger/,
    );
    assert.deepEqual(await db.selectFrom("t").selectAll().execute(), []);
    // A rollback inside a live transaction still rolls back.
    await assert.rejects(
      () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto("t").values({ flag: 2, label: "undone" }).execute();
          throw new Error("changed my mind");
        }),
      /changed my mind/,
    );
    assert.deepEqual(await db.selectFrom("t").selectAll().execute(), []);
  } finally {
    await db.destroy();
  }
});
