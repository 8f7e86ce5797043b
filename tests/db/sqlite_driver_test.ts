import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { sql } from "kysely";
import { openDatabase, type OpenDatabaseOptions } from "../../src/db/open_database.ts";
import { DatabaseUnavailableError } from "../../src/db/sqlite_errors.ts";
import { CollectingLog } from "../support/collecting_log.ts";

async function withDatabase(
  options: OpenDatabaseOptions,
  fn: (db: Awaited<ReturnType<typeof openDatabase>>, path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-driver-" });
  const path = join(dir, "clicker.db");
  const db = await openDatabase(path, options);
  try {
    await fn(db, path);
  } finally {
    await db.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Another program's connection holding the write lock until `release()`. */
function holdWriteLock(path: string): { release(): void } {
  const other = new DatabaseSync(path);
  other.exec("begin exclusive");
  return {
    release() {
      other.exec("rollback");
      other.close();
    },
  };
}

function isUnavailable(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof DatabaseUnavailableError, `got ${error}`);
    assert.match(error.message, pattern);
    return true;
  };
}

function turns(n: number): Promise<void> {
  let chain = Promise.resolve();
  for (let i = 0; i < n; i++) chain = chain.then(() => new Promise((r) => setTimeout(r, 1)));
  return chain;
}

Deno.test("the driver begins every transaction immediate, taking the write lock up front", async () => {
  const statements: string[] = [];
  const db = await openDatabase(":memory:", {
    queryLog: (event) => {
      statements.push(event.query.sql);
    },
  });
  try {
    await db.transaction().execute((trx) =>
      trx.insertInto("settings").values({ key: "k", value: "v" }).execute()
    );
    assert.equal(statements.at(-3), "begin immediate");
    assert.equal(statements.at(-1), "commit");
  } finally {
    await db.destroy();
  }
});

Deno.test("the driver waits for another program's lock without blocking the event loop", async () => {
  await withDatabase({}, async (db, path) => {
    const lock = holdWriteLock(path);
    let settled = false;
    const insert = db.insertInto("settings").values({ key: "k", value: "v" }).execute()
      .finally(() => settled = true);
    const transaction = db.transaction().execute((trx) =>
      trx.insertInto("settings").values({ key: "t", value: "w" }).execute()
    );
    // Timers keep firing while both wait: nothing holds the thread.
    await turns(5);
    assert.equal(settled, false);
    lock.release();
    await insert;
    await transaction;
    const keys = await db.selectFrom("settings").select("key").orderBy("key").execute();
    assert.deepEqual(keys.map((row) => row.key), ["k", "t"]);
  });
});

Deno.test("the driver gives up on a lock held too long with SQLITE_BUSY, and works once it is free", async () => {
  await withDatabase({ busyWaitMs: 20 }, async (db, path) => {
    const lock = holdWriteLock(path);
    try {
      await assert.rejects(
        () => db.insertInto("settings").values({ key: "k", value: "v" }).execute(),
        isUnavailable(/^database is locked \(SQLITE_BUSY\)$/),
      );
      await assert.rejects(
        () =>
          db.transaction().execute((trx) =>
            trx.insertInto("settings").values({ key: "k", value: "v" }).execute()
          ),
        isUnavailable(/SQLITE_BUSY/),
      );
    } finally {
      lock.release();
    }
    await db.insertInto("settings").values({ key: "k", value: "v" }).execute();
  });
});

Deno.test("the driver reports a full database as SQLite says it, inside a transaction too", async () => {
  await withDatabase({}, async (db) => {
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    await sql`pragma max_page_count = ${sql.raw(String(rows[0].page_count))}`.execute(db);
    const big = sql`insert into settings (key, value) values ('big', hex(randomblob(200000)))`;
    await assert.rejects(() => big.execute(db), isUnavailable(/full \(SQLITE_FULL\)/));
    await assert.rejects(
      () => db.transaction().execute((trx) => big.execute(trx)),
      isUnavailable(/full \(SQLITE_FULL\)/),
    );
    // Small writes that fit still work.
    await db.insertInto("settings").values({ key: "k", value: "v" }).execute();
  });
});

Deno.test("the driver refuses to report a write to a deleted file as done, and refuses all after", async () => {
  const logged = new CollectingLog();
  // The watch is slow here: the write itself must notice.
  await withDatabase(
    { watchIntervalMs: 3_600_000, log: logged },
    async (db, path) => {
      await db.insertInto("settings").values({ key: "before", value: "1" }).execute();
      for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(path + suffix);
      await assert.rejects(
        () => db.insertInto("settings").values({ key: "after", value: "2" }).execute(),
        isUnavailable(/was deleted or replaced/),
      );
      await assert.rejects(
        () => db.selectFrom("settings").selectAll().execute(),
        isUnavailable(/was deleted or replaced/),
      );
      await assert.rejects(
        () =>
          db.transaction().execute((trx) =>
            trx.insertInto("settings").values({ key: "t", value: "3" }).execute()
          ),
        isUnavailable(/was deleted or replaced/),
      );
      assert.equal(logged.records.length, 1, logged.lines.join("\n"));
      assert.equal(logged.records[0].fields.path, path, logged.lines[0]);
    },
  );
});

Deno.test("the driver notices a replaced file on its own, and says so once", async () => {
  const { promise: noticed, resolve } = Promise.withResolvers<string>();
  let count = 0;
  const log = {
    error(message: string) {
      count++;
      resolve(message);
    },
    warning() {},
  };
  await withDatabase({ watchIntervalMs: 20, log }, async (db, path) => {
    await db.insertInto("settings").values({ key: "k", value: "v" }).execute();
    const other = join(path, "..", "other.db");
    new DatabaseSync(other).close();
    await Deno.rename(other, path);
    // The watch's timer doesn't keep a process alive; this safety net does, and fails the test.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((_, reject) => {
      guard = setTimeout(() => reject(new Error("the watch never noticed")), 10_000);
    });
    try {
      assert.match(await Promise.race([noticed, timeout]), /was deleted or replaced/);
    } finally {
      clearTimeout(guard);
    }
    await assert.rejects(
      () => sql`select 1`.execute(db),
      isUnavailable(/was deleted or replaced/),
    );
    await turns(3);
    assert.equal(count, 1);
  });
});
