import assert from "node:assert/strict";
import { join } from "node:path";
import { type Fetch, probeServer, probeToken } from "../../static/src/api.ts";
import { GameSession, SESSION_EXPIRED } from "../../static/src/game_session.ts";
import type { GameAction } from "../../static/src/game_view.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { CHEAP_HASH, startTestServer, type TestServer } from "../support/test_server.ts";

Deno.test("GameSession signs out when the server closes for an expired, unrenewed token", async () => {
  // Tokens live three seconds; the hub closes the connection once it expires.
  const server = await startTestServer({ env: { TOKEN_TTL_MINUTES: "0.05" } });
  try {
    const player = await registerAndLogin(server.url);
    const actions: GameAction[] = [];
    const signedOut = Promise.withResolvers<string>();
    const session = new GameSession({
      token: () => player.token,
      hubUrl: (token) =>
        server.url.replace(/^http/, "ws") + "game?access_token=" + encodeURIComponent(token!),
      dispatch: (action) => actions.push(action),
      signedOut: signedOut.resolve,
      probeToken: () => Promise.resolve("accepted"),
      probeServer: () => Promise.resolve(true),
      isOnline: () => true,
    });
    session.start();
    try {
      assert.equal(await signedOut.promise, SESSION_EXPIRED);
    } finally {
      session.stop();
    }
    const info = actions.find((action) => action.type === "gameInfo");
    assert.equal(info?.type === "gameInfo" && info.info.maxClicksPerSecond, 25);
    assert.equal(info?.type === "gameInfo" && info.info.baseMultiplierCost, 10);
    assert.ok(actions.some((action) => action.type === "connectionLost"));
  } finally {
    await server.stop();
  }
});

Deno.test("GameSession connects at once to a server that came back while it asked about the token", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clicker-" });
  const databasePath = join(dir, "clicker.db");
  let server: TestServer | undefined = await startTestServer({
    databasePath,
    hashParameters: CHEAP_HASH,
  });
  try {
    const player = await registerAndLogin(server.url);
    const base = server.url;
    const port = new URL(base).port;
    await server.stop();
    server = undefined;

    // The page's own probes, against the address of the server that is down.
    const fetchHere: Fetch = (path, init) => fetch(new URL(path, base), init);
    const actions: GameAction[] = [];
    const connected = Promise.withResolvers<void>();
    let probes = 0;
    let returned = { at: 0, actions: 0 };
    const session = new GameSession({
      token: () => player.token,
      hubUrl: (token) => `${base.replace(/^http/, "ws")}game?access_token=${token}`,
      dispatch: (action) => {
        actions.push(action);
        if (action.type === "connection" && action.state === "connected") connected.resolve();
      },
      signedOut: (message) => connected.reject(new Error(message)),
      // The second question finds the server back (same port, same database):
      // the connect just before it failed, the answer to it says "accepted".
      probeToken: async (token) => {
        probes += 1;
        if (probes === 2) {
          server = await startTestServer({ databasePath, env: { PORT: port } });
          returned = { at: Date.now(), actions: actions.length };
        }
        return probeToken(token, fetchHere);
      },
      probeServer: () => probeServer(fetchHere),
      isOnline: () => true,
      // The longest backoff there is, so waiting for it would show.
      random: () => 0.999,
    });
    session.start();
    try {
      await connected.promise;
    } finally {
      session.stop();
    }
    const since = actions.slice(returned.actions);
    assert.deepEqual(
      since.filter((action) => action.type === "connection" && action.retryAt !== undefined),
      [],
      "no backoff was scheduled once the server answered",
    );
    const took = Date.now() - returned.at;
    assert.ok(took < 1_000, `connected ${took} ms after the server came back`);
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
