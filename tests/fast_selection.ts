/**
 * Which test files `deno task test:fast` runs: every `*_test.ts` under
 * `tests/` except the folders and files in {@linkcode SLOW}.
 *
 * They run in two modules (`fast_shard_1.ts`, `fast_shard_2.ts`) that import
 * half the files each (by cost, see {@linkcode splitByCost}), rather
 * than one module per file as `deno test` does: starting a module costs Deno
 * a fresh isolate, about 0.4 s of CPU on our 2-core machines, which for a
 * hundred files would be most of the run. The price is
 * that the files of a shard share one isolate (module state included), and
 * that their types are not checked, since the imports are computed; `deno
 * task ok` runs both the whole suite, one isolate per file, and `deno check`.
 *
 * @module
 */

import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname!, "..");

/** The test folders and files `test:fast` leaves out, each with why. */
export const SLOW: Readonly<Record<string, string>> = Object.freeze({
  "tests/e2e": "drives Chromium",
  "tests/auth/passwords_event_loop_test.ts":
    "times the event loop while ten real-cost hashes run: needs the cores to itself",
  "tests/abuse": "runs main.ts in child processes and floods real-cost password hashes",
  "tests/compat": "plays rounds in real time with the official client",
  "tests/main_test.ts": "runs main.ts in child processes",
  "tests/main_unhandled_rejection_test.ts": "runs the server's main() in a child process",
  "tests/http/serve_test.ts": "runs main.ts in a child process under a file limit",
  "tests/db/open_database_test.ts": "races `deno eval` child processes for one database file",
  "tests/type_check_split_test.ts": "runs `deno check`",
  "tests/cluster": "runs servers in child processes against Redis and PostgreSQL",
  "tests/cluster/nginx_test.ts": "runs three servers, nginx and Chromium in child processes",
  "tests/ci": "starts Redis and PostgreSQL with .ci/services.sh",
  "tests/run_test.ts": "runs `deno task test`'s runner over a probe, with Redis and PostgreSQL",
  "tests/metrics/promtool_test.ts": "runs main.ts and promtool in child processes",
  "tests/metrics/prometheus_test.ts": "runs three servers and a real Prometheus in child processes",
});

/** Whether `file` (relative to the repository, `/`-separated) is left out of `test:fast`. */
export function isSlow(file: string): boolean {
  return Object.keys(SLOW).some((path) => file === path || file.startsWith(path + "/"));
}

/** Every test file under `tests/`, relative to the repository and sorted. */
export async function testFiles(dir = join(ROOT, "tests")): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await testFiles(path));
    else if (entry.name.endsWith("_test.ts")) files.push(relative(ROOT, path));
  }
  return files.sort();
}

/** What makes a test file cost more than its length: a real server started, a password hashed. */
const COSTLY = /startTestServer\(|startServer\(|\bserve\(\{|registerAndLogin\(|hashPassword\(/g;

/**
 * A guess at what a test file costs to run, from its text: its length, plus
 * 5,000 for each real server it starts or password it hashes (each costs
 * about as much as loading and running 5 kB of plain tests).
 */
export function guessCost(text: string): number {
  return text.length + 5000 * (text.match(COSTLY) ?? []).length;
}

/**
 * Splits `files` into `shards` lists of about the same total cost, the
 * costliest file first into the cheapest list: taking every other file put
 * most of the server tests in one shard, which then ran twice as long as the
 * other. Each list keeps the files' order.
 */
export function splitByCost(
  files: readonly { readonly path: string; readonly cost: number }[],
  shards: number,
): string[][] {
  const totals: number[] = Array(shards).fill(0);
  const shardOf = new Map<string, number>();
  for (const file of [...files].sort((a, b) => b.cost - a.cost || (a.path < b.path ? -1 : 1))) {
    const cheapest = totals.indexOf(Math.min(...totals));
    shardOf.set(file.path, cheapest);
    totals[cheapest] += file.cost;
  }
  return totals.map((_, shard) =>
    files.filter((file) => shardOf.get(file.path) === shard).map((file) => file.path)
  );
}

/** Imports (and so registers the tests of) shard `shard` of `shards` of the fast test files. */
export async function importShard(shard: number, shards: number): Promise<void> {
  const fast = (await testFiles()).filter((file) => !isSlow(file));
  const costed = await Promise.all(
    fast.map(async (path) => ({
      path,
      cost: guessCost(await Deno.readTextFile(join(ROOT, path))),
    })),
  );
  for (const file of splitByCost(costed, shards)[shard]) {
    await import(pathToFileURL(join(ROOT, file)).href);
  }
}
