/**
 * The identity of a file (its device and inode), to notice that the path no
 * longer names the file that was opened: deleted, or replaced by another.
 *
 * An open SQLite connection keeps writing to a deleted file, and every write
 * then "succeeds" into a file nobody will ever open again. Comparing the
 * identity costs one `stat`, cheap enough to do after every write.
 *
 * @module
 */

/** What the path named when the identity was taken. */
export class FileIdentity {
  /** The watched path. */
  readonly path: string;
  readonly #dev: number;
  readonly #ino: number | null;

  /** Takes the identity of the file at `path` now; throws when it doesn't exist. */
  constructor(path: string) {
    const info = Deno.statSync(path);
    this.path = path;
    this.#dev = info.dev;
    this.#ino = info.ino;
  }

  /** Whether `path` still names the same file (synchronous, for the write path). */
  matchesSync(): boolean {
    try {
      return this.#same(Deno.statSync(this.path));
    } catch {
      return false;
    }
  }

  /** Whether `path` still names the same file (asynchronous, for polling). */
  async matches(): Promise<boolean> {
    try {
      return this.#same(await Deno.stat(this.path));
    } catch {
      return false;
    }
  }

  #same(info: Deno.FileInfo): boolean {
    // Without inode numbers (some platforms) only the device can be compared.
    return info.isFile && info.dev === this.#dev && (this.#ino === null || info.ino === this.#ino);
  }
}
