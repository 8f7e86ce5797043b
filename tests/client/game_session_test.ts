import assert from "node:assert/strict";
import { join } from "node:path";
import { type Fetch, probeServer, probeToken } from "../../static/src/api.ts";
import { GameSession, SESSION_EXPIRED } from "../../static/src/game_session.ts";
import type { ConnectionState, GameAction } from "../../static/src/game_view.ts";
import { registerAndLogin } from "../support/accounts.ts";
import { CHEAP_HASH, startTestServer, type TestServer } from "../support/test_server.ts";
import { FakeTime } from "../support/fake_time.ts";
import { RACE_INTERVAL_MS } from "../../src/hub/race_watch.ts";

Deno.test("GameSession signs out when the server closes for an expired, unrenewed token", async () => {
  // Once the game started, the hub's clock jumps past the token's expiry and
  // the hub's keep-alive ticks once: it closes the connection.
  const ttlMinutes = 1;
  const time = new FakeTime(Date.now());
  const server = await startTestServer({
    env: { TOKEN_TTL_MINUTES: String(ttlMinutes) },
    hashParameters: CHEAP_HASH,
    now: time.clock,
    sleep: time.sleep,
  });
  try {
    const player = await registerAndLogin(server.url);
    const actions: GameAction[] = [];
    const started = Promise.withResolvers<void>();
    const signedOut = Promise.withResolvers<string>();
    const session = new GameSession({
      token: () => player.token,
      hubUrl: (token) =>
        server.url.replace(/^http/, "ws") + "game?access_token=" + encodeURIComponent(token!),
      dispatch: (action) => {
        actions.push(action);
        if (action.type === "gameInfo") started.resolve();
      },
      signedOut: signedOut.resolve,
      probeToken: () => Promise.resolve("accepted"),
      probeServer: () => Promise.resolve(true),
      isOnline: () => true,
    });
    session.start();
    try {
      await started.promise;
      // Issued at login, by the real clock: a minute from now is past it.
      time.now = Date.now() + ttlMinutes * 60_000;
      await time.advance(1000);
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
        // The backoff while the server is down is not under test: skip it, as
        // the network's return would (once the session has begun to wait).
        if (action.type === "connection" && action.retryAt !== undefined && probes === 1) {
          queueMicrotask(() => session.retryNow());
        }
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

/** A page's session of one player, and the connection states it went through. */
interface Tab {
  readonly session: GameSession;
  readonly states: ConnectionState[];
  /** Resolves when the session next reaches `state` (at once when it is its latest). */
  reaches(state: ConnectionState): Promise<void>;
}

function openTab(server: TestServer, token: string): Tab {
  const states: ConnectionState[] = [];
  const waiters: { state: ConnectionState; resolve: () => void }[] = [];
  const session = new GameSession({
    token: () => token,
    hubUrl: (t) => `${server.url.replace(/^http/, "ws")}game?access_token=${t}`,
    dispatch: (action) => {
      if (action.type !== "connection") return;
      states.push(action.state);
      for (const waiter of waiters.filter((w) => w.state === action.state)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    signedOut: (message) => {
      throw new Error(`Signed out: ${message}`);
    },
    probeToken: () => Promise.resolve("accepted"),
    probeServer: () => Promise.resolve(true),
    isOnline: () => true,
  });
  session.start();
  return {
    session,
    states,
    reaches: (state) =>
      states.at(-1) === state
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ state, resolve })),
  };
}

Deno.test("GameSession waits for the player to play here when the player's other tabs took its place", async () => {
  const server = await startTestServer({ hashParameters: CHEAP_HASH });
  const tabs: Tab[] = [];
  try {
    const player = await registerAndLogin(server.url);
    const open = async () => {
      const tab = openTab(server, player.token);
      tabs.push(tab);
      await tab.reaches("connected");
      return tab;
    };
    for (let i = 0; i < 5; i++) await open();
    // A sixth tab, one more than a player may hold: the oldest gives way and says so.
    await open();
    await tabs[0].reaches("elsewhere");

    // The network's return or the tab coming into view wake a reconnect; not this wait.
    tabs[0].session.retryNow();
    // A seventh tab closes the next oldest, a whole connect later.
    await open();
    await tabs[1].reaches("elsewhere");
    assert.equal(tabs[0].states.at(-1), "elsewhere", "the first tab still waits for its player");
    let health = await (await fetch(server.url + "healthz")).json();
    assert.deepEqual(health.online, { players: 1, connections: 5 });

    // The player asks to play in the first tab: it connects, and the oldest other gives way.
    tabs[0].session.playHere();
    await tabs[0].reaches("connected");
    await tabs[2].reaches("elsewhere");
    assert.deepEqual(
      tabs.map((tab) => tab.states.at(-1)),
      ["connected", "elsewhere", "elsewhere", "connected", "connected", "connected", "connected"],
    );
    // The first tab connected twice: once at the start, once on the player's word.
    assert.deepEqual(tabs[0].states, [
      "connecting",
      "connected",
      "elsewhere",
      "reconnecting",
      "connected",
    ]);
    health = await (await fetch(server.url + "healthz")).json();
    assert.deepEqual(health.online, { players: 1, connections: 5 });
  } finally {
    for (const tab of tabs) tab.session.stop();
    await server.stop();
  }
});

Deno.test("GameSession asks for the race, and each Race reaches the view with the player's click", async () => {
  // The hub's clock and waits are fake: the Race after the click waits for
  // the throttle's interval, which the test moves past.
  const time = new FakeTime(Date.now());
  const server = await startTestServer({
    hashParameters: CHEAP_HASH,
    now: time.clock,
    sleep: time.sleep,
  });
  try {
    const player = await registerAndLogin(server.url);
    const actions: GameAction[] = [];
    const clicked = Promise.withResolvers<void>();
    const raced = Promise.withResolvers<void>();
    const session = new GameSession({
      token: () => player.token,
      hubUrl: (token) => `${server.url.replace(/^http/, "ws")}game?access_token=${token}`,
      dispatch: (action) => {
        actions.push(action);
        if (action.type === "gameInfo") session.click();
        if (action.type === "clickDone") clicked.resolve();
        if (action.type === "race" && action.race.you.score === 1) raced.resolve();
      },
      signedOut: (message) => clicked.reject(new Error(message)),
      probeToken: () => Promise.resolve("accepted"),
      probeServer: () => Promise.resolve(true),
      isOnline: () => true,
    });
    session.start();
    try {
      await clicked.promise;
      await time.advance(RACE_INTERVAL_MS);
      await raced.promise;
    } finally {
      session.stop();
    }
    const done = actions.find((action) => action.type === "clickDone");
    assert.equal(done?.type === "clickDone" && done.update?.counted, true);
    const race = actions.findLast((action) => action.type === "race");
    assert.deepEqual(race?.type === "race" && race.race.top, [
      { username: player.username, score: 1 },
    ]);
    assert.deepEqual(race?.type === "race" && race.race.you, { score: 1, rank: 1 });
    assert.equal(actions.some((action) => action.type === "connectionLost"), false);
  } finally {
    await server.stop();
  }
});
