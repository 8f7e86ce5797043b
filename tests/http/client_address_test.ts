import assert from "node:assert/strict";
import { Hono } from "hono";
import { clientAddress, forwardedFor } from "../../src/http/client_address.ts";

/** What a request from `socket` with `headers` reads as, trusting the proxy or not. */
async function read(trustProxy: boolean, headers: Record<string, string>, socket = "10.0.0.1") {
  const app = new Hono();
  app.get(
    "/",
    (c) =>
      c.json({ address: clientAddress(c, trustProxy), forwardedFor: forwardedFor(c, trustProxy) }),
  );
  const response = await app.request("/", { headers }, { remoteAddr: { hostname: socket } });
  return await response.json() as { address: string; forwardedFor: string };
}

Deno.test("clientAddress() is the socket's, or the last X-Forwarded-For entry behind a trusted proxy", async () => {
  assert.equal((await read(false, { "x-forwarded-for": "1.1.1.1" })).address, "10.0.0.1");
  assert.equal((await read(true, { "x-forwarded-for": "6.6.6.6, 1.1.1.1" })).address, "1.1.1.1");
  assert.equal((await read(true, {})).address, "10.0.0.1");
});

Deno.test("forwardedFor() ends in the client address this server reads", async () => {
  assert.equal((await read(false, {})).forwardedFor, "10.0.0.1");
  assert.equal((await read(true, {})).forwardedFor, "10.0.0.1");
  // Trusted: passed on as it came, its last entry being the address.
  const trusted = await read(true, { "x-forwarded-for": "6.6.6.6, 1.1.1.1" });
  assert.equal(trusted.forwardedFor, "6.6.6.6, 1.1.1.1");
  // Not trusted: this server is the proxy, and appends the socket's address.
  const untrusted = await read(false, { "x-forwarded-for": "6.6.6.6" });
  assert.equal(untrusted.forwardedFor, "6.6.6.6, 10.0.0.1");
});

Deno.test("forwardedFor() read by the next server trusting the proxy gives the same address", async () => {
  const cases: Record<string, string>[] = [{}, { "x-forwarded-for": "1.1.1.1" }, {
    "x-forwarded-for": "a, b",
  }];
  for (const headers of cases) {
    const first = await read(true, headers);
    const next = await read(true, { "x-forwarded-for": first.forwardedFor }, "10.0.0.2");
    assert.equal(next.address, first.address);
  }
});
