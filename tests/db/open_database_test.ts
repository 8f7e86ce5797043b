import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Kysely, sql } from "kysely";
import { DatabaseOpenError, openDatabase } from "../../src/db/open_database.ts";
import type { Database } from "../../src/db/schema.ts";

const ROOT = join(import.meta.dirname!, "..", "..");

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

Deno.test("openDatabase() leaves the game's short busy timeout once it has opened", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    const fallback = await openDatabase(path);
    try {
      assert.equal(await pragma(fallback, "busy_timeout"), 200);
    } finally {
      await fallback.destroy();
    }
    const chosen = await openDatabase(path, { busyTimeoutMs: 50 });
    try {
      assert.equal(await pragma(chosen, "busy_timeout"), 50);
    } finally {
      await chosen.destroy();
    }
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
      assert.deepEqual(await migrations(second), ["0001_initial"]);
      const row = await second.selectFrom("settings").selectAll().executeTakeFirst();
      assert.deepEqual({ ...row }, { key: "k", value: "v" });
    } finally {
      await second.destroy();
    }
  });
});

Deno.test("openDatabase() lets processes starting together on a new file migrate it once", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db");
    const script = `
      import { openDatabase } from ${JSON.stringify(join(ROOT, "src", "db", "open_database.ts"))};
      console.log("ready");
      for await (const _ of Deno.stdin.readable) break;
      try {
        const db = await openDatabase(${JSON.stringify(path)});
        await db.destroy();
        console.log("opened");
      } catch (error) {
        console.log(String(error));
      }
    `;
    const children = Array.from({ length: 3 }, () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", script],
        cwd: ROOT,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn());
    const lines = children.map((child) => child.stdout.pipeThrough(new TextDecoderStream()));
    const readers = lines.map((stream) => stream.getReader());
    // Wait until every child is loaded, then let them all go at once.
    for (const reader of readers) assert.match((await reader.read()).value ?? "", /ready/);
    await Promise.all(children.map(async (child) => {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("go\n"));
      await writer.close();
    }));
    const outputs = await Promise.all(readers.map(async (reader) => {
      let text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text.trim();
        text += value;
      }
    }));
    await Promise.all(children.map((child) => child.status));
    assert.deepEqual(outputs, ["opened", "opened", "opened"]);
    const db = await openDatabase(path);
    try {
      assert.deepEqual(await migrations(db), ["0001_initial"]);
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
    await assertOpenFails(dir, /Cannot (open|use) database/);
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
