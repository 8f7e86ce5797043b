import assert from "node:assert/strict";
import { healthy, readiness } from "../../src/http/readiness.ts";
import { RUNNING_LOOP } from "./memory_app.ts";

const STOPPED = { ...RUNNING_LOOP, running: false };
const BEHIND = { ...RUNNING_LOOP, unrecorded: 2 };

Deno.test("readiness() of one server needs its database and a running loop", () => {
  assert.equal(readiness({ database: "ok", loop: RUNNING_LOOP }), "ready");
  assert.equal(readiness({ database: "disk I/O error", loop: RUNNING_LOOP }), "unavailable");
  assert.equal(readiness({ database: "ok", loop: STOPPED }), "unavailable");
});

Deno.test("readiness() with several servers stays ready, degraded, while only PostgreSQL is down", () => {
  assert.equal(readiness({ database: "ok", redis: "ok", loop: RUNNING_LOOP }), "ready");
  assert.equal(
    readiness({ database: "Connection terminated", redis: "ok", loop: BEHIND }),
    "degraded",
  );
  assert.equal(
    readiness({ database: "ok", redis: "ECONNREFUSED", loop: RUNNING_LOOP }),
    "unavailable",
  );
  assert.equal(
    readiness({ database: "ok", redis: "ok", loop: STOPPED }),
    "unavailable",
    "stopping",
  );
});

Deno.test("healthy() needs everything, the rounds recorded included", () => {
  assert.equal(healthy({ database: "ok", loop: RUNNING_LOOP }), true);
  assert.equal(healthy({ database: "ok", loop: BEHIND }), false);
  assert.equal(healthy({ database: "ok", redis: "ok", loop: RUNNING_LOOP }), true);
  assert.equal(healthy({ database: "down", redis: "ok", loop: RUNNING_LOOP }), false);
  assert.equal(
    healthy({
      database: "ok",
      loop: { ...RUNNING_LOOP, lastUnitOfWork: { at: 1, ok: false, error: "full" } },
    }),
    false,
  );
});
