import assert from "node:assert/strict";
import {
  type Fetch,
  fetchPlayer,
  fetchRounds,
  login,
  probeServer,
  probeToken,
  register,
} from "../../static/src/api.ts";

function answering(status: number, body: unknown, headers: Record<string, string> = {}): Fetch {
  return () =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json", ...headers },
      }),
    );
}

const offline: Fetch = () => Promise.reject(new TypeError("Failed to fetch"));

Deno.test("login() returns the token, or the server's message", async () => {
  const ok = await login(
    "ann",
    "pw",
    answering(200, { token: "t", username: "Ann", expiresAt: 5 }),
  );
  assert.deepEqual(ok, { ok: true, value: { token: "t", username: "Ann", expiresAt: 5 } });
  const refused = await login("ann", "pw", answering(401, { message: "Invalid credentials" }));
  assert.deepEqual(refused, { ok: false, status: 401, message: "Invalid credentials" });
});

Deno.test("login() hands on the wait of a 429 beside the server's message, not in it", async () => {
  const limited = await login(
    "ann",
    "pw",
    answering(429, { message: "Too many failed logins; try again later" }, {
      "Retry-After": "898",
    }),
  );
  assert.deepEqual(limited, {
    ok: false,
    status: 429,
    message: "Too many failed logins; try again later",
    retryAfterMs: 898_000,
  });
});

Deno.test("register() passes the server's message through both ways", async () => {
  const input = { username: "ann", email: "a@b.c", password: "x", passwordConfirm: "y" };
  assert.deepEqual(await register(input, answering(200, { message: "Welcome" })), {
    ok: true,
    value: "Welcome",
  });
  assert.deepEqual(await register(input, answering(400, { message: "Passwords differ" })), {
    ok: false,
    status: 400,
    message: "Passwords differ",
  });
});

Deno.test("requests that never reach the server say so", async () => {
  const result = await fetchRounds(5, offline);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.status, 0);
  assert.match(!result.ok ? result.message : "", /can't reach the server/i);
});

Deno.test("probeToken() tells refused, accepted and unreachable apart", async () => {
  assert.equal(await probeToken("t", answering(401, { message: "Token expired" })), "refused");
  assert.equal(await probeToken("t", answering(200, {})), "accepted");
  assert.equal(await probeToken("t", answering(503, {})), "unreachable");
  assert.equal(await probeToken("t", offline), "unreachable");
});

Deno.test("probeServer() says back only when the server answers healthy", async () => {
  assert.equal(await probeServer(answering(200, { status: "ok" })), true);
  // A proxy's answer for a server that is down, and the server's own "not well".
  assert.equal(await probeServer(answering(502, {})), false);
  assert.equal(await probeServer(answering(503, { status: "unavailable" })), false);
  assert.equal(await probeServer(offline), false);
});

Deno.test("fetchRounds() pages with before; fetchPlayer() reads a history or the 404", async () => {
  const asked: string[] = [];
  const recording: Fetch = (input) => {
    asked.push(input);
    return answering(200, [])(input);
  };
  await fetchRounds(5, recording);
  await fetchRounds(5, recording, 41);
  assert.deepEqual(asked, ["/api/rounds?limit=5", "/api/rounds?limit=5&before=41"]);

  const history = {
    username: "Ann",
    nbWins: 4,
    roundsPlayed: 12,
    bestScore: 35,
    lastRounds: [{ roundId: 9, endedAt: 5, score: 25, rank: 2, won: false }, { roundId: "x" }],
  };
  const read = await fetchPlayer("ann b", (input) => {
    assert.equal(input, "/api/players/ann%20b");
    return answering(200, history)(input);
  });
  assert.deepEqual(read, { ok: true, value: { ...history, lastRounds: [history.lastRounds[0]] } });
  const unknown = await fetchPlayer("zed", answering(404, { message: "Player not found" }));
  assert.deepEqual(unknown, { ok: false, status: 404, message: "Player not found" });
});
