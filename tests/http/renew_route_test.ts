/**
 * `POST /api/account/renew`, called in memory: a fresh token for a valid
 * one (header or sign-in cookie), the hub's hook told, a refusal otherwise.
 *
 * @module
 */

import assert from "node:assert/strict";
import { memoryApp } from "./memory_app.ts";
import { signToken, verifyToken } from "../../src/auth/tokens.ts";

const PASSWORD = "correct horse battery";

async function registered(app: Awaited<ReturnType<typeof memoryApp>>) {
  const json = { "content-type": "application/json" };
  const body = { username: "ann", email: "ann@example.com", password: PASSWORD };
  const created = await app.request("/api/account/register", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ ...body, passwordConfirm: PASSWORD }),
  });
  assert.equal(created.status, 200);
  const login = await app.request("/api/account/login", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ username: "ann", password: PASSWORD }),
  });
  return await login.json() as { token: string; expiresAt: number };
}

Deno.test("POST /api/account/renew answers a fresh token and tells the hub", async () => {
  let clock = Date.now() - 120_000;
  const renewed: [number, number][] = [];
  const app = await memoryApp({
    accounts: { now: () => clock, renewed: (id, expiresAt) => renewed.push([id, expiresAt]) },
  });
  try {
    const first = await registered(app);
    clock += 60_000;
    const response = await app.request("/api/account/renew", {
      method: "POST",
      headers: { authorization: `Bearer ${first.token}` },
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.username, "ann");
    assert.equal(body.expiresAt, first.expiresAt + 60_000);
    const user = await verifyToken(app.secret, body.token);
    assert.equal(user.username, "ann");
    assert.deepEqual(renewed, [[user.id, body.expiresAt]]);
    // The sign-in cookie carries the new token too.
    assert.match(response.headers.get("set-cookie") ?? "", /HttpOnly/);
  } finally {
    await app.close();
  }
});

Deno.test("POST /api/account/renew refuses a missing, bad or expired token with 401", async () => {
  const app = await memoryApp();
  try {
    const { token } = await registered(app);
    const expired = await signToken(app.secret, { id: 1, username: "ann" }, 1, 0);
    const stranger = await signToken(app.secret, { id: 99, username: "nobody" }, 30);
    for (
      const headers of [
        {} as Record<string, string>,
        { authorization: "Bearer not.a.token" },
        { authorization: `Bearer ${expired.token}` },
        { authorization: `Bearer ${stranger.token}` },
      ]
    ) {
      const response = await app.request("/api/account/renew", { method: "POST", headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      const body = await response.json();
      assert.equal(typeof body.message, "string");
      assert.ok(!JSON.stringify(body).includes(token));
    }
  } finally {
    await app.close();
  }
});
