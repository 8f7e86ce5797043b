/**
 * `deno task test`: starts Redis and PostgreSQL for the tests of several
 * servers (on free ports, in a temporary folder of the run's own), runs
 * `deno test -A --parallel` with its arguments and the services' URLs in the
 * environment, then stops the services however the run ends: passed,
 * failed, interrupted or terminated (a watcher covers a killed run). The
 * tests' temporary files go in a folder of the run's (`TMPDIR`), removed then.
 *
 * The tests run in a session of their own, so that whatever they leave
 * running (a server a test failed to stop, or that outlived an interrupted
 * test) is stopped after them: the session's processes are sent SIGTERM,
 * then SIGKILL. Signals this process gets go to the whole session; should
 * this process be killed, a watcher kills the session.
 *
 * When the arguments name no folder or file holding tests of several
 * servers, no service starts; a test file that wants them anyway starts its
 * own (`tests/cluster/services.ts`).
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { type OwnedServices, SERVICES_ENV, startServices } from "./support/test_services.ts";

const ROOT = join(import.meta.dirname!, "..");
/** Where the tests that use Redis and PostgreSQL live, relative to the repository. */
const USERS = "tests/cluster";
/** `deno test` flags whose value may come as the next argument. */
const VALUED: readonly (string | undefined)[] = [
  "--filter",
  "--reporter",
  "--junit-path",
  "--seed",
  "--config",
  "-c",
  "--jobs",
];
const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
/**
 * Waits for process `$1` to end, then kills process group `$2` if the file
 * `$3` is still there: the runner removes it once it stopped the group itself.
 */
const WATCH =
  'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -e "$3" ] && kill -KILL -- "-$2"; rm -f -- "$3"';
/** How long what the tests left running gets to stop on SIGTERM, before SIGKILL. */
const SWEEP_GRACE_MS = 5000;

/**
 * Whether `deno test args` (run from `cwd`) may run a test file under
 * `tests/cluster/`: with no path among the arguments (every test), or with
 * a path inside that folder or holding it.
 */
export function needsServices(args: readonly string[], cwd: string, root = ROOT): boolean {
  // Neither a flag nor the value of one.
  const paths = args.filter((arg, i) => !arg.startsWith("-") && !VALUED.includes(args[i - 1]));
  if (paths.length === 0) return true;
  return paths.some((path) => {
    const where = relative(root, resolve(cwd, path)).replaceAll("\\", "/");
    return where === "" || USERS === where || USERS.startsWith(where + "/") ||
      where.startsWith(USERS + "/");
  });
}

/** Runs the tests; resolves with the exit code `deno task test` should end with. */
export async function runTests(args: readonly string[]): Promise<number> {
  let interrupted: Deno.Signal | undefined;
  let child: Deno.ChildProcess | undefined;
  let watched: string | undefined;
  const listeners = SIGNALS.map((signal) => {
    const listener = () => {
      interrupted ??= signal;
      if (child) signalGroup(child.pid, signal);
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  // The tests' temporary files (databases, browser profiles, daemons' folders) go in a
  // folder of the run's own, removed at the end: a test that leaves one behind leaves
  // nothing on the machine. Open to all like /tmp, for daemons run as their own user.
  const tmp = await Deno.makeTempDir({ prefix: "clicker-test-tmp-" });
  await Deno.chmod(tmp, 0o1777);
  const env: Record<string, string> = { TMPDIR: tmp };
  const given = Deno.env.get(SERVICES_ENV.redisUrl) && Deno.env.get(SERVICES_ENV.databaseUrl);
  let services: OwnedServices | undefined;
  try {
    if (!given && needsServices(args, Deno.cwd())) services = await startServices();
    if (services) {
      env[SERVICES_ENV.redisUrl] = services.redisUrl;
      env[SERVICES_ENV.databaseUrl] = services.databaseUrl;
      env[SERVICES_ENV.dir] = services.dir;
    }
    if (interrupted) return 128 + SIGNAL_NUMBERS[interrupted];
    // `setsid` makes the test process the leader of a new session and process group.
    child = new Deno.Command("setsid", {
      args: [Deno.execPath(), "test", "-A", "--parallel", ...args],
      env,
    }).spawn();
    watched = await watchTests(child.pid);
    // Killed by a signal, the code is 128 + its number already.
    return (await child.status).code;
  } finally {
    if (child) await sweep(child.pid);
    if (watched) await Deno.remove(watched);
    await services?.stop();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    for (const remove of listeners) remove();
  }
}

/** Starts the watcher of the tests' process group `group`; resolves with its file. */
async function watchTests(group: number): Promise<string> {
  const file = await Deno.makeTempFile({ prefix: "clicker-test-run-" });
  // `setsid -f`: out of this process's group, so what ends this process doesn't end it too.
  const { code } = await new Deno.Command("setsid", {
    args: ["-f", "bash", "-c", WATCH, "clicker-tests-watch", String(Deno.pid), String(group), file],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot start the watcher of the tests: setsid exited with ${code}`);
  }
  return file;
}

/** Sends `signal` to process group `group`; false when none of it is left. */
function signalGroup(group: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

/** The processes of group `group` still running (zombies are not), as `pid name`. */
function groupMembers(group: number): string[] {
  const members: string[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      // `pid (comm) state ppid pgrp …`: the fields after the last ")".
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(pgrp) === group && state !== "Z") members.push(`${entry.name} ${name}`);
    } catch { /* ended meanwhile */ }
  }
  return members;
}

/** Stops what the tests left running in their process group `group`, and says so. */
async function sweep(group: number): Promise<void> {
  const left = groupMembers(group);
  if (left.length === 0 || !signalGroup(group, "SIGTERM")) return;
  console.error(`tests/run.ts: stopping what the tests left running: ${left.join(", ")}`);
  const deadline = Date.now() + SWEEP_GRACE_MS;
  while (groupMembers(group).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (groupMembers(group).length > 0) signalGroup(group, "SIGKILL");
}

if (import.meta.main) Deno.exit(await runTests(Deno.args));
