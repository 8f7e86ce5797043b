/**
 * `.ci/services.sh`, run for real: a folder owns the Redis and PostgreSQL it
 * started, `start` reuses them and refuses a port anything else holds, and
 * `stop` stops only them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseUrls } from "../support/test_services.ts";
import { freePorts } from "../support/free_ports.ts";
import { listening, running } from "../support/liveness.ts";

const SCRIPT = join(import.meta.dirname!, "..", "..", ".ci", "services.sh");

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function script(command: string, dir: string, ports: number[] = []): Promise<Run> {
  const [redis, pg] = ports;
  const env: Record<string, string> = {};
  if (redis) env.REDIS_PORT = String(redis);
  if (pg) env.PG_PORT = String(pg);
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [SCRIPT, command, dir],
    env,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** The pids DIR's pid files name, as the script reads them. */
async function pids(dir: string): Promise<{ redis: number; pg: number }> {
  const redis = Number((await Deno.readTextFile(join(dir, "redis", "redis.pid"))).trim());
  const pg = Number(
    (await Deno.readTextFile(join(dir, "pg", "data", "postmaster.pid"))).split("\n")[0],
  );
  return { redis, pg };
}

/** Starts `dir`'s Redis and PostgreSQL on two free ports, and returns them. */
async function startOnFreePorts(dir: string): Promise<number[]> {
  const ports = freePorts(2);
  const started = await script("start", dir, ports);
  assert.equal(started.code, 0, started.stderr);
  return ports;
}

/** Runs `body` with new folders, stopping and removing them after, whatever happens. */
async function withDirs(count: number, body: (dirs: string[]) => Promise<void>): Promise<void> {
  const dirs: string[] = [];
  try {
    for (let i = 0; i < count; i++) dirs.push(await Deno.makeTempDir({ prefix: "clicker-svc-" }));
    await body(dirs);
  } finally {
    for (const dir of dirs) {
      await script("stop", dir);
      await Deno.remove(dir, { recursive: true });
    }
  }
}

Deno.test({
  name: "services.sh start runs both on the ports asked, prints their URLs, and reuses them",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withDirs(1, async ([dir]) => {
    const ports = freePorts(2);
    const first = await script("start", dir, ports);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(parseUrls(first.stdout), {
      redisUrl: `redis://127.0.0.1:${ports[0]}`,
      databaseUrl: `postgres://clicker@127.0.0.1:${ports[1]}/clicker`,
    });
    const started = await pids(dir);
    assert.ok(running(started.redis) && running(started.pg));

    const again = await script("start", dir, ports);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
    assert.deepEqual(await pids(dir), started, "the same servers");
    // Without the ports, env names the ones the folder's servers run on.
    assert.equal((await script("env", dir)).stdout, first.stdout);
  }));

Deno.test({
  name: "services.sh start refuses, starting nothing, a port that something else holds",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withDirs(2, async ([mine, other]) => {
    const ports = await startOnFreePorts(mine);
    const [free] = freePorts(1);

    // PostgreSQL's port is held by the other folder's server: Redis doesn't start either.
    const taken = await script("start", other, [free, ports[1]]);
    assert.equal(taken.code, 3);
    assert.equal(
      taken.stderr,
      `services.sh: Cannot start PostgreSQL: port ${ports[1]} is taken by a process ${other} ` +
        "did not start\n",
    );
    assert.equal(await listening(free), false, "no Redis started");

    // Any listener counts, Redis or not.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: free });
    try {
      const held = await script("start", other, [free, freePorts(1)[0]]);
      assert.equal(held.code, 3);
      assert.match(
        held.stderr,
        new RegExp(`^services.sh: Cannot start Redis: port ${free} is taken`),
      );
    } finally {
      listener.close();
    }

    // The folder's own servers run on other ports: it says so rather than start others.
    const moved = await script("start", mine, freePorts(2));
    assert.equal(moved.code, 3);
    assert.match(moved.stderr, new RegExp(`runs it on port ${ports[0]}; stop it first`));
  }));

Deno.test({
  name: "services.sh stop stops only what its folder started",
  sanitizeOps: false,
  sanitizeResources: false,
}, () =>
  withDirs(2, async ([mine, other]) => {
    const ports = await startOnFreePorts(mine);
    const started = await pids(mine);

    // Another folder, on the same ports, started nothing: its stop touches nothing.
    const stopped = await script("stop", other, ports);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.ok(running(started.redis) && running(started.pg), "still running");
    assert.ok(await listening(ports[0]) && await listening(ports[1]));

    assert.equal((await script("stop", mine)).code, 0);
    assert.equal(running(started.redis), false, "Redis stopped");
    assert.equal(running(started.pg), false, "PostgreSQL stopped");
    assert.equal(await listening(ports[0]) || await listening(ports[1]), false);
    assert.equal((await script("stop", mine)).code, 0, "stopping twice is harmless");
  }));
