import assert from "node:assert/strict";
import type { Insertable, Kysely } from "kysely";
import { openDatabase } from "../../src/db/open_database.ts";
import type { Database, RoundsTable } from "../../src/db/schema.ts";
import { compileNamed, runNamed } from "../../src/db/named_statement.ts";

async function withDb(fn: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const db = await openDatabase(":memory:");
  try {
    await fn(db);
  } finally {
    await db.destroy();
  }
}

async function roundRow(db: Kysely<Database>, id: number) {
  return { ...(await db.selectFrom("rounds").selectAll().where("id", "=", id).executeTakeFirst()) };
}

Deno.test("compileNamed() and runNamed() put each named value at its parameter's position", async () => {
  await withDb(async (db) => {
    // The sample lists the columns in another order than the statement does.
    const insert = compileNamed<Insertable<RoundsTable>>(
      { players: 1, nb_clicks: 2, ended_at: 3, started_at: 4, id: 5 },
      (row) =>
        db.insertInto("rounds").values({
          id: row.id,
          started_at: row.started_at,
          ended_at: row.ended_at,
          nb_clicks: row.nb_clicks,
          players: row.players,
        }),
    );
    assert.deepEqual(insert.columns, ["id", "started_at", "ended_at", "nb_clicks", "players"]);
    const row = { id: 7, started_at: 1_000, ended_at: 1_500, nb_clicks: 42, players: 3 };
    await runNamed(db, insert, row);
    assert.deepEqual(await roundRow(db, 7), row);
  });
});

Deno.test("runNamed() fills every parameter of a column used twice", async () => {
  await withDb(async (db) => {
    await db.insertInto("rounds")
      .values({ id: 1, started_at: 0, ended_at: 0, nb_clicks: 0, players: 0 }).execute();
    const stretch = compileNamed<{ id: number; at: number }>(
      { id: 1, at: 2 },
      (row) =>
        db.updateTable("rounds").set({ started_at: row.at, ended_at: row.at })
          .where("id", "=", row.id),
    );
    assert.deepEqual(stretch.columns, ["at", "at", "id"]);
    await runNamed(db, stretch, { at: 900, id: 1 });
    const row = await roundRow(db, 1);
    assert.deepEqual([row.started_at, row.ended_at], [900, 900]);
  });
});

Deno.test("compileNamed() refuses a sample it can't tell apart, a stray parameter and an unused column", async () => {
  await withDb((db) => {
    assert.throws(
      () =>
        compileNamed(
          { id: 1, at: 1 },
          (row) => db.updateTable("rounds").set({ ended_at: row.at }).where("id", "=", row.id),
        ),
      (error) => error instanceof TypeError && /"id" and "at"/.test(error.message),
    );
    assert.throws(
      () =>
        compileNamed(
          { id: 1 },
          (row) => db.updateTable("rounds").set({ ended_at: 99 }).where("id", "=", row.id),
        ),
      (error) =>
        error instanceof TypeError && /parameter 1 is not from the row/.test(error.message),
    );
    assert.throws(
      () =>
        compileNamed(
          { id: 1, at: 2 },
          (row) => db.deleteFrom("rounds").where("id", "=", row.id),
        ),
      (error) => error instanceof TypeError && /"at" is not used/.test(error.message),
    );
    return Promise.resolve();
  });
});

Deno.test("runNamed() takes values only by their columns' names", async () => {
  await withDb(async (db) => {
    const insert = compileNamed<Insertable<RoundsTable>>(
      { id: 1, started_at: 2, ended_at: 3, nb_clicks: 4, players: 5 },
      (row) => db.insertInto("rounds").values(row),
    );
    await assert.rejects(() =>
      // @ts-expect-error: a misspelt column fails the type check (and started_at is missing)
      runNamed(db, insert, { id: 1, strated_at: 0, ended_at: 0, nb_clicks: 0, players: 0 })
    );
    await assert.rejects(() =>
      // @ts-expect-error: a missing column fails the type check
      runNamed(db, insert, { id: 2, ended_at: 0, nb_clicks: 0, players: 0 })
    );
  });
});
