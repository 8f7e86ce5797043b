import assert from "node:assert/strict";
import { GameSession, SESSION_EXPIRED } from "../../static/src/game_session.ts";
import type { GameAction } from "../../static/src/game_view.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { startTestServer } from "../support/test_server.ts";

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
