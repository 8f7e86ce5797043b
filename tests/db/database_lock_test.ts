import assert from "node:assert/strict";
import { join } from "node:path";
import { lockDatabase, lockHolder } from "../../src/db/database_lock.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-lock-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("lockDatabase() gives the lock to one open at a time and names its pid", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "clicker.db");
    const first = lockDatabase(path);
    assert.ok(first.ok);
    try {
      const second = lockDatabase(path);
      assert.equal(second.ok, false);
      assert.equal(!second.ok && second.pid, Deno.pid);
    } finally {
      first.lock.release();
    }
    const third = lockDatabase(path);
    assert.ok(third.ok, "released, the lock can be taken again");
    third.lock.release();
    return Promise.resolve();
  });
});

Deno.test("lockHolder() waits for a holder that has not written its pid yet", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db.lock");
    await Deno.writeTextFile(path, "");
    const written = new Promise((resolve) => setTimeout(resolve, 50))
      .then(() => Deno.writeTextFile(path, "4242\n"));
    assert.equal(await lockHolder(path, 2000), 4242);
    await written;
  });
});

Deno.test("lockHolder() gives up on an empty or garbled file after its wait", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "clicker.db.lock");
    await Deno.writeTextFile(path, "not a pid");
    assert.equal(await lockHolder(path, 30), undefined);
    assert.equal(await lockHolder(join(dir, "missing.lock"), 0), undefined);
  });
});
