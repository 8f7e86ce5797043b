/**
 * `tests/run.ts`, which `deno task test` runs: which arguments need the
 * services, and, with real runs of it over `tests/cluster/services_probe.ts`,
 * that what a run starts is stopped when it ends, however it ends.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { needsServices } from "./run.ts";
import { SERVICES_ENV } from "./support/test_services.ts";
import { waitFor } from "./cluster/cluster_support.ts";
import { listening, running } from "./support/liveness.ts";

const ROOT = join(import.meta.dirname!, "..");
const RUNNER = join(ROOT, "tests", "run.ts");
const PROBE = join(ROOT, "tests", "cluster", "services_probe.ts");

Deno.test("needsServices() is true for every test, tests/cluster/ and what holds it", () => {
  for (const args of [[], ["--fail-fast"], ["tests"], ["tests/"], ["."], ["tests/cluster"]]) {
    assert.equal(needsServices(args, ROOT, ROOT), true, args.join(" "));
  }
  assert.equal(needsServices(["tests/cluster/failover_test.ts"], ROOT, ROOT), true);
  assert.equal(needsServices(["cluster/"], join(ROOT, "tests"), ROOT), true);
  assert.equal(needsServices(["tests/game", "tests/cluster/x_test.ts"], ROOT, ROOT), true);
  // A filter's words are no path: every test file may run.
  assert.equal(needsServices(["--filter", "rounds"], ROOT, ROOT), true);
});

Deno.test("needsServices() is false for paths that hold no test of several servers", () => {
  for (const args of [["tests/game"], ["tests/hub/", "tests/main_test.ts"], ["tests/clusters"]]) {
    assert.equal(needsServices(args, ROOT, ROOT), false, args.join(" "));
  }
  assert.equal(needsServices(["--no-check", "tests/db"], ROOT, ROOT), false);
  assert.equal(needsServices(["tests/db", "--filter", "tests/cluster"], ROOT, ROOT), false);
});

/** What the probe wrote: the services it used and what it left running. */
interface Probed {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly dir: string;
  /** The test process: the leader of the run's process group. */
  readonly pid: number;
  /** A process the probe left running. */
  readonly left: number;
}

/** A run of the probe: the process, its output once it ends, and the file the probe writes. */
interface ProbeRun {
  readonly child: Deno.ChildProcess;
  readonly output: Promise<Deno.CommandOutput>;
  readonly out: string;
}

/**
 * Runs `tests/run.ts` over the probe (or `deno test` alone, `byHand`), which
 * then does `then`, and hands the run to `body`; after it, whatever happens,
 * kills the run if it still goes and removes the probe's file.
 */
async function withProbe(
  then: "fail" | "wait",
  byHand: boolean,
  body: (run: ProbeRun) => Promise<void>,
): Promise<void> {
  const out = await Deno.makeTempFile({ prefix: "clicker-probe-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: byHand ? ["test", "-A", "--no-check", PROBE] : ["run", "-A", RUNNER, "--no-check", PROBE],
    cwd: ROOT,
    // Services of its own, not this run's.
    env: {
      [SERVICES_ENV.redisUrl]: "",
      [SERVICES_ENV.databaseUrl]: "",
      [SERVICES_ENV.dir]: "",
      PROBE_OUT: out,
      PROBE_THEN: then,
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    await body({ child, output, out });
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
    await output;
    await Deno.remove(out);
  }
}

async function probed(out: string): Promise<Probed> {
  return await waitFor(
    "the probe to run",
    async () => {
      try {
        return JSON.parse(await Deno.readTextFile(out)) as Probed;
      } catch {
        return undefined;
      }
    },
    60_000,
    100,
  );
}

/** The port of a service's URL. */
function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Asserts that nothing the probe's run started is left. */
async function assertAllStopped(seen: Probed): Promise<void> {
  assert.equal(await listening(portOf(seen.redisUrl)), false, "Redis stopped");
  assert.equal(await listening(portOf(seen.databaseUrl)), false, "PostgreSQL stopped");
  await assert.rejects(Deno.stat(seen.dir), Deno.errors.NotFound, "services folder removed");
  assert.equal(running(seen.left), false, "what the test left running stopped");
  assert.equal(running(seen.pid), false, "the test process ended");
}

Deno.test({
  name: "deno task test: a failing run stops its services and what the tests left running",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withProbe("fail", false, async ({ output, out }) => {
    const { code, stdout } = await output;
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 1, text);
    assert.match(text, /Probe failing as asked/);
    const seen = await probed(out);
    assert.match(seen.dir, /clicker-services-/);
    await assertAllStopped(seen);
  }));

Deno.test({
  name: "deno task test: a run terminated midway stops its services and its tests",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withProbe("wait", false, async ({ child, output, out }) => {
    const seen = await probed(out);
    assert.equal(await listening(portOf(seen.redisUrl)), true, "Redis runs during the run");
    child.kill("SIGTERM");
    const { code } = await output;
    assert.equal(code, 143);
    await assertAllStopped(seen);
  }));

Deno.test({
  name: "deno task test: a killed run's services and tests are stopped by their watchers",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withProbe("wait", false, async ({ child, output, out }) => {
    let seen: Probed | undefined;
    try {
      seen = await probed(out);
      child.kill("SIGKILL");
      await output;
      await waitFor(
        "the watcher to stop the services",
        async () => {
          const gone = await Deno.stat(seen!.dir).then(() => false, () => true);
          return gone && !await listening(portOf(seen!.redisUrl)) &&
            !await listening(portOf(seen!.databaseUrl));
        },
        30_000,
        100,
      );
    } finally {
      // Should the watcher have failed, the test process still holds the output open.
      if (seen) {
        try {
          Deno.kill(-seen.pid, "SIGKILL");
        } catch { /* ended */ }
      }
    }
  }));

Deno.test({
  name: "a cluster test file run by hand stops its own services when it ends, failed",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withProbe("fail", true, async ({ output, out }) => {
    let seen: Probed | undefined;
    try {
      const { code, stdout } = await output;
      assert.equal(code, 1, new TextDecoder().decode(stdout));
      seen = await probed(out);
      assert.ok(!seen.dir, "no run's services");
      // Stopped as the test process ended, not a moment later.
      assert.equal(await listening(portOf(seen.redisUrl)), false, "Redis stopped");
      assert.equal(await listening(portOf(seen.databaseUrl)), false, "PostgreSQL stopped");
    } finally {
      // Without tests/run.ts, what the probe left running is this test's to stop.
      if (seen && running(seen.left)) Deno.kill(seen.left, "SIGKILL");
    }
  }));
