import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Kysely, sql } from "kysely";
import { DatabaseOpenError, openDatabase } from "../../src/db/open_database.ts";
import type { Database } from "../../src/db/schema.ts";
import { migrationProvider } from "../../src/db/migrations.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
/** Every migration's name, in order. */
const ALL_MIGRATIONS = Object.keys(await migrationProvider.getMigrations()).sort();

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-db-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function pragma(db: Kysely<Database>, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db);
  return Object.values(rows[0])[0];
}

async function migrations(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`
    .execute(db);
  return rows.map((row) => row.name);
}

function tables(path: string): string[] {
  const sqlite = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = sqlite.prepare("select name from sqlite_master where type = 'table' order by name")
      .all() as { name: string }[];
    return rows.map((row) => row.name);
  } finally {
    sqlite.close();
  }
}

/** Asserts that opening `path` fails with a DatabaseOpenError naming the path and `why`. */
async function assertOpenFails(path: string, why: RegExp): Promise<void> {
  await assert.rejects(() => openDatabase(path), (error: unknown) => {
    assert.ok(error instanceof DatabaseOpenError, `expected DatabaseOpenError, got ${error}`);
    assert.ok(error.message.includes(`"${path}"`), `"${error.message}" should name the path`);
    assert.match(error.message, why);
    return true;
  });
}

Deno.test("openDatabase() creates the file's folder and the tables", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a", "b", "clicker.db");
    const db = await openDatabase(path);
    await db.destroy();
    assert.ok((await Deno.stat(path)).isFile);
    const names = tables(path);
    for (const table of ["players", "rounds", "round_winners", "settings", "round_checkpoints"]) {
      assert.ok(names.includes(table), `${table} in ${names}`);
    }
  });
});

Deno.test("openDatabase() turns on WAL for a file, foreign keys everywhere", async () => {
  await withTempDir(async (dir) => {
    const db = await openDatabase(join(dir, "clicker.db"));
    try {
      assert.equal(await pragma(db, "journal_mode"), "wal");
      assert.equal(await pragma(db, "foreign_keys"), 1);
      assert.equal(await pragma(db, "synchronous"), 1, "normal");
    } finally {
      await db.destroy();
    }
  });
  const memory = await openDatabase(":memory:");
  try {
    assert.equal(await pragma(memory, "journal_mode"), "memory");
    assert.equal(await pragma(memory, "foreign_keys"), 1);
  } finally {
    await memory.destroy();
  }
});

Deno.test("openDatabase() leaves SQLite no busy timeout: it would block the event loop", async () => {
  await withTempDir(async (dir) => {
    const db = await openDatabase(join(dir, "clicker.db"));
    try {
      assert.equal(await pragma(db, "busy_timeout"), 0);
    } finally {
      await db.destroy();
    }
  });
});

Deno.test("openDatabase() refuses a file another open holds, naming its pid, until it closes", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    const first = await openDatabase(path);
    try {
      await assertOpenFails(path, new RegExp(`in use by another server \\(pid ${Deno.pid}\\)`));
      // The first one is untouched.
      await first.insertInto("settings").values({ key: "k", value: "v" }).execute();
    } finally {
      await first.destroy();
    }
    const second = await openDatabase(path);
    try {
      const row = await second.selectFrom("settings").selectAll().executeTakeFirst();
      assert.deepEqual({ ...row }, { key: "k", value: "v" });
    } finally {
      await second.destroy();
    }
  });
});

Deno.test("openDatabase() lets other programs read the file, and write it briefly, while it holds it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    const db = await openDatabase(path);
    try {
      await db.insertInto("settings").values({ key: "mine", value: "1" }).execute();
      const other = new DatabaseSync(path);
      try {
        other.exec("insert into settings (key, value) values ('theirs', '2')");
        const keys = other.prepare("select key from settings order by key").all()
          .map((row) => row.key);
        assert.deepEqual(keys, ["mine", "theirs"]);
      } finally {
        other.close();
      }
      const rows = await db.selectFrom("settings").select("key").orderBy("key").execute();
      assert.deepEqual(rows.map((row) => row.key), ["mine", "theirs"]);
    } finally {
      await db.destroy();
    }
  });
});

Deno.test("openDatabase() needs no lock for :memory:, and the lock file stays for the next server", async () => {
  const [a, b] = [await openDatabase(":memory:"), await openDatabase(":memory:")];
  await a.destroy();
  await b.destroy();
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    await (await openDatabase(path)).destroy();
    assert.ok((await Deno.stat(`${path}.lock`)).isFile);
    await (await openDatabase(path)).destroy();
  });
});

Deno.test("openDatabase() enforces foreign keys: a winner of no round is refused", async () => {
  const db = await openDatabase(":memory:");
  try {
    await assert.rejects(
      () => db.insertInto("round_winners").values({ round_id: 1, player_id: 1 }).execute(),
      /FOREIGN KEY constraint failed/,
    );
  } finally {
    await db.destroy();
  }
});

Deno.test("openDatabase() migrates a file once, however often it opens it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    const first = await openDatabase(path);
    await first.insertInto("settings").values({ key: "k", value: "v" }).execute();
    await first.destroy();
    const second = await openDatabase(path);
    try {
      assert.deepEqual(await migrations(second), ALL_MIGRATIONS);
      const row = await second.selectFrom("settings").selectAll().executeTakeFirst();
      assert.deepEqual({ ...row }, { key: "k", value: "v" });
    } finally {
      await second.destroy();
    }
  });
});

Deno.test("openDatabase() lets one of several processes starting together on a new file have it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    // Each child opens when told, says how it went, and keeps the file open
    // until its input ends, so a late starter can't slip in after another closed.
    const script = `
      import { openDatabase } from ${JSON.stringify(join(ROOT, "src", "db", "open_database.ts"))};
      console.log("ready");
      const lines = Deno.stdin.readable.getReader();
      await lines.read();
      let db;
      try {
        db = await openDatabase(${JSON.stringify(path)});
        console.log("opened");
      } catch (error) {
        console.log(String(error));
      }
      while (!(await lines.read()).done);
      await db?.destroy();
    `;
    const children = Array.from({ length: 3 }, () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", script],
        cwd: ROOT,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn());
    const readers = children.map((child) =>
      child.stdout.pipeThrough(new TextDecoderStream()).getReader()
    );
    const writers = children.map((child) => child.stdin.getWriter());
    // Wait until every child is loaded, then let them all go at once.
    for (const reader of readers) assert.match((await reader.read()).value ?? "", /ready/);
    await Promise.all(writers.map((writer) => writer.write(new TextEncoder().encode("go\n"))));
    const outcomes = await Promise.all(readers.map(async (reader) => {
      let text = "";
      while (!text.includes("\n")) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
      return text.trim();
    }));
    await Promise.all(writers.map((writer) => writer.close()));
    await Promise.all(readers.map(async (reader) => {
      while (!(await reader.read()).done);
    }));
    await Promise.all(children.map((child) => child.status));
    const opened = outcomes.filter((line) => line === "opened");
    assert.equal(opened.length, 1, outcomes.join("\n"));
    for (const line of outcomes.filter((line) => line !== "opened")) {
      assert.match(
        line,
        /DatabaseOpenError: database ".*" is in use by another server \(pid \d+\)/,
      );
    }
    const db = await openDatabase(path);
    try {
      assert.deepEqual(await migrations(db), ALL_MIGRATIONS);
    } finally {
      await db.destroy();
    }
  });
});

Deno.test("openDatabase() refuses a file that is not a database, and leaves it alone", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "notes.txt");
    const text = "These are my notes, not a database.\n".repeat(200);
    await Deno.writeTextFile(path, text);
    await assertOpenFails(path, /not a database/);
    assert.equal(await Deno.readTextFile(path), text);
  });
});

Deno.test("openDatabase() refuses a path it cannot create", async () => {
  await withTempDir(async (dir) => {
    // Tests may run as root, whom file modes don't stop: use a folder that is a file.
    const file = join(dir, "plain-file");
    await Deno.writeTextFile(file, "");
    await assertOpenFails(join(file, "clicker.db"), /Cannot open database/);
    await assertOpenFails(join(file, "sub", "clicker.db"), /Cannot open database/);
  });
});

Deno.test("openDatabase() refuses a folder as the database file", async () => {
  await withTempDir(async (dir) => {
    try {
      await assertOpenFails(dir, /Cannot (open|use) database/);
    } finally {
      await Deno.remove(`${dir}.lock`).catch(() => {});
    }
  });
});

Deno.test("openDatabase() rolls a failed migration back whole", async () => {
  await withTempDir(async (dir) => {
    // A file whose "rounds" table clashes with the first migration, which creates
    // "players" before "rounds": nothing of it may stay behind.
    const path = join(dir, "clicker.db");
    const sqlite = new DatabaseSync(path);
    sqlite.exec("create table rounds (x)");
    sqlite.close();
    await assertOpenFails(path, /Cannot migrate database.*rounds/);
    assert.deepEqual(tables(path), ["rounds"]);
  });
});
