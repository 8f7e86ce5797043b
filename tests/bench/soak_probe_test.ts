import assert from "node:assert/strict";
import { checkHealth, rssMiB } from "../../bench/soak_probe.ts";
import { timedGet } from "../../bench/http_probe.ts";
import { openFds } from "../../bench/proc.ts";
import { startTestServer } from "../support/test_server.ts";

Deno.test("checkHealth() reads the status and who is online from a real /healthz", async () => {
  const server = await startTestServer();
  try {
    const health = await checkHealth(server.url);
    assert.equal(health.status, 200);
    assert.deepEqual(health.online, { players: 0, connections: 0 });
    assert.ok(health.ms >= 0 && health.ms < 5000, `${health.ms} ms`);
  } finally {
    await server.stop();
  }
});

Deno.test("timedGet() gives the status and the body, and status 0 where nothing answers", async () => {
  const server = await startTestServer();
  const url = server.url;
  try {
    const probe = await timedGet(url, "/healthz");
    assert.equal(probe.status, 200);
    assert.match(probe.body, /"online"/);
  } finally {
    await server.stop();
  }
  // The server is gone: its port refuses.
  const refused = await timedGet(url, "/healthz", 1000);
  assert.deepEqual([refused.status, refused.body], [0, ""]);
});

Deno.test("openFds() and rssMiB() read this process, and NaN for none", () => {
  assert.ok(openFds(Deno.pid) > 0);
  assert.ok(rssMiB(Deno.pid) > 0);
  assert.ok(Number.isNaN(openFds(0)));
  assert.ok(Number.isNaN(rssMiB(0)));
});
