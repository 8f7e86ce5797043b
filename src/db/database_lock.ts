/**
 * One database, one server: an exclusive advisory lock on a sidecar file,
 * `<database>.lock`, held for as long as the database is open.
 *
 * The lock is on its own file, not the database, so SQLite's own locks are
 * untouched: other programs still read the database and may write it briefly.
 * The operating system drops the lock when the process ends, however it ends,
 * so a crash never leaves the database locked. The file holds the owner's pid
 * for the message a second server prints; it is never deleted, because
 * deleting it would let two servers lock two different files of one name.
 *
 * @module
 */

/** A held lock; {@linkcode DatabaseLock.release} lets the next server in. */
export interface DatabaseLock {
  /** The lock file's path. */
  readonly path: string;
  /** Releases the lock. Safe to call twice. */
  release(): void;
}

/** The outcome of {@linkcode lockDatabase}. */
export type LockResult =
  | { readonly ok: true; readonly lock: DatabaseLock }
  | { readonly ok: false; readonly path: string; readonly pid: number | undefined };

/**
 * Takes the lock of the database at `databasePath`, without waiting: when
 * another process (or another open in this one) holds it, the result names
 * the holder's pid if known. Errors other than contention (the folder can't
 * be written) are thrown.
 */
export function lockDatabase(databasePath: string): LockResult {
  const path = `${databasePath}.lock`;
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  try {
    if (!file.tryLockSync(true)) {
      file.close();
      return { ok: false, path, pid: holderOf(path) };
    }
    file.truncateSync(0);
    file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (error) {
    file.close();
    throw error;
  }
  let held = true;
  return {
    ok: true,
    lock: {
      path,
      release() {
        if (!held) return;
        held = false;
        file.close(); // closing the file drops its lock
      },
    },
  };
}

/**
 * The pid in the lock file at `path`, read again for up to `waitMs` while it
 * is empty: a holder that has just taken the lock may not have written it yet.
 */
export async function lockHolder(path: string, waitMs = 250): Promise<number | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pid = holderOf(path);
    if (pid !== undefined || Date.now() >= deadline) return pid;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
