/**
 * A test module for `tests/run_test.ts` to run, through `tests/run.ts` or
 * by hand; not a test of its own (its name doesn't end in `_test.ts`): it checks that
 * the run's Redis and PostgreSQL answer, writes where they are to the file
 * `PROBE_OUT` names, with a `sleep` it starts and leaves running, then
 * passes, fails or waits, as `PROBE_THEN` says.
 *
 * @module
 */

import assert from "node:assert/strict";
import { adminQuery, freshRedis, services } from "./services.ts";
import { SERVICES_ENV } from "../support/test_services.ts";

Deno.test({
  name: "probe: the run's Redis and PostgreSQL answer",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const { redisUrl, databaseUrl } = await services();
  // Run by `tests/run.ts`, its services; run by hand, the file's own.
  const given = Deno.env.get(SERVICES_ENV.redisUrl);
  if (given) assert.equal(redisUrl, given, "the run's Redis");
  await freshRedis(15);
  assert.deepEqual(await adminQuery(databaseUrl, "select 1 as one"), [{ one: 1 }]);
  // Left running on purpose: the run must stop it.
  const left = new Deno.Command("sleep", { args: ["600"], stdin: "null" }).spawn();
  left.unref();
  const dir = Deno.env.get(SERVICES_ENV.dir);
  await Deno.writeTextFile(
    Deno.env.get("PROBE_OUT")!,
    JSON.stringify({ redisUrl, databaseUrl, dir, pid: Deno.pid, left: left.pid }),
  );
  const then = Deno.env.get("PROBE_THEN");
  if (then === "fail") throw new Error("Probe failing as asked");
  // Waits to be interrupted; the runner's test ends it well before.
  if (then === "wait") await new Promise((resolve) => setTimeout(resolve, 120_000));
});
