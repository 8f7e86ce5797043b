import assert from "node:assert/strict";
import { RENEW_LEAD_MAX_MS, renewDelay, renewRetryDelay } from "../../static/src/renewal.ts";
import { type Fetch, fetchSession, renew } from "../../static/src/api.ts";

Deno.test("renewDelay() renews half-way through a short token, 5 minutes before a long one", () => {
  assert.equal(renewDelay(6_000, 0, 1), 3_000);
  assert.equal(renewDelay(30 * 60_000, 0, 1), 25 * 60_000);
  assert.equal(RENEW_LEAD_MAX_MS, 5 * 60_000);
  // Tabs spread over the last tenth before that moment.
  assert.equal(renewDelay(6_000, 0, 0), 2_700);
});

Deno.test("renewDelay() renews at once a token due or past", () => {
  assert.equal(renewDelay(1_000, 1_000, 0.5), 0);
  assert.equal(renewDelay(1_000, 5_000, 0.5), 0);
});

Deno.test("renewRetryDelay() tries again within what is left, 250 ms to 10 s", () => {
  assert.equal(renewRetryDelay(4_000, 0), 1_000);
  assert.equal(renewRetryDelay(100, 0), 250);
  assert.equal(renewRetryDelay(3_600_000, 0), 10_000);
});

function answering(status: number, body: unknown): Fetch & { calls: [string, RequestInit?][] } {
  const calls: [string, RequestInit?][] = [];
  const fn = (input: string, init?: RequestInit) => {
    calls.push([input, init]);
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
  return Object.assign(fn, { calls });
}

Deno.test("renew() sends the token as Bearer, or nothing with the sign-in cookie", async () => {
  const fetchFn = answering(200, { token: "t2", username: "ann", expiresAt: 9 });
  assert.deepEqual(await renew("t1", fetchFn), {
    ok: true,
    value: { token: "t2", username: "ann", expiresAt: 9 },
  });
  await renew(null, fetchFn);
  const headers = fetchFn.calls.map(([, init]) => (init?.headers as Record<string, string>));
  assert.equal(headers[0].Authorization, "Bearer t1");
  assert.equal(headers[1].Authorization, undefined);
  assert.equal(fetchFn.calls[0][0], "/api/account/renew");
});

Deno.test("fetchSession() tells signed in, signed out and no cookie support apart", async () => {
  assert.deepEqual(await fetchSession(answering(200, { username: "ann", expiresAt: 5 })), {
    kind: "signed-in",
    username: "ann",
    expiresAt: 5,
  });
  assert.deepEqual(await fetchSession(answering(401, { message: "Missing token" })), {
    kind: "signed-out",
  });
  assert.deepEqual(await fetchSession(answering(404, { message: "No route" })), {
    kind: "unavailable",
  });
});
