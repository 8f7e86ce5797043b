/**
 * Temporary folders that outlive the servers using them (a test reads the
 * database after the server stopped, or starts another on it) and are
 * removed when the test process ends, however it is run.
 *
 * @module
 */

const made: string[] = [];

globalThis.addEventListener("unload", () => {
  for (const dir of made.splice(0)) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
  }
});

/** A new temporary folder named `prefix…`, removed when the process ends. */
export async function temporaryFolder(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  made.push(dir);
  return dir;
}
