/**
 * Whether a process still runs and whether a port still listens: how tests
 * check that what was stopped is gone.
 *
 * @module
 */

/** Whether process `pid` runs (a zombie does not). */
export function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Whether something accepts connections on `port` of 127.0.0.1. */
export async function listening(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}
