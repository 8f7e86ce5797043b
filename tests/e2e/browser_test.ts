/**
 * End-to-end tests of the web client in headless Chromium (Debian's, never a
 * downloaded one), driven by playwright-core against the real server with
 * short rounds: two players racing a round, logins and reloads, a server
 * restart. Screenshots go to a temporary folder whose path the run prints.
 *
 * Without Chromium the browser tests can't run. Under CI (`CI` set) that is a
 * failure, of one test whose message says how to install it; elsewhere the
 * browser tests are skipped with the same one-line message, so a machine
 * without a browser still runs the rest of the suite.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { registerAndLogin, uniqueName } from "../support/accounts.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import {
  CHROMIUM,
  CHROMIUM_MISSING,
  clickTimes,
  exactly,
  game,
  IN_CI,
  logInInPage,
  newPage,
  OPTIONS,
  registerInPage,
  screenshotDir,
  text,
  waitGame,
  waitPlaying,
  waitScore,
  waitText,
  withBrowser,
} from "./browser_support.ts";

if (CHROMIUM_MISSING && !IN_CI) console.warn(`Skipping the browser tests: ${CHROMIUM_MISSING}`);

// Fails under CI where Chromium is missing (the browser tests are then skipped):
// one failure that says what to do, rather than four launch errors.
Deno.test({
  name: `browser: Chromium is installed at ${CHROMIUM}`,
  ignore: CHROMIUM_MISSING !== undefined && !IN_CI,
  fn() {
    if (CHROMIUM_MISSING) throw new Error(CHROMIUM_MISSING);
  },
});

Deno.test({
  name: "browser: two players race a round with clicks, a multiplier, a countdown and results",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 4, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const viewport = { width: 1280, height: 860 };
        const pageA = await newPage(await browser.newContext({ viewport }));
        const contextB = await browser.newContext({ viewport });
        // Player B's computer clock is seven minutes slow; the countdown must not care.
        await contextB.addInitScript(() => {
          const realNow = Date.now;
          Date.now = () => realNow() - 7 * 60_000;
        });
        const pageB = await newPage(contextB);
        const [ann, bob] = [uniqueName("ann"), uniqueName("bob")];
        await Promise.all([pageA.goto(server.url), pageB.goto(server.url)]);
        await Promise.all([registerInPage(pageA, ann), registerInPage(pageB, bob)]);

        assert.equal(await text(pageA, "#user-name"), ann);
        await Promise.all([
          waitText(pageA, "#online-count", "2"),
          waitText(pageB, "#online-count", "2"),
        ]);
        assert.equal(await text(pageA, "#wins"), "0");
        assert.equal(await pageA.locator("#buy-button").isDisabled(), true);

        // The countdown moves, and stays within the round on the slow computer.
        const before = await text(pageA, "#countdown");
        await pageA.locator("#countdown").filter({ hasNotText: exactly(before) }).waitFor();
        const skewed = Number(await text(pageB, "#countdown"));
        assert.ok(skewed >= 0 && skewed <= 4, `countdown on a slow clock shows ${skewed} s`);

        let played = false;
        for (let attempt = 1; attempt <= 4 && !played; attempt++) {
          // Start right after a round boundary, seen by both pages.
          await waitGame(pageA, "round-ends-at", await game(pageA, "round-ends-at"), true);
          const roundEndsAt = await game(pageA, "round-ends-at");
          await waitGame(pageB, "round-ends-at", roundEndsAt);
          const winsA = Number(await text(pageA, "#wins"));
          const winsB = Number(await text(pageB, "#wins"));

          const roundOver = async () =>
            await game(pageA, "round-ends-at") !== roundEndsAt ||
            await game(pageB, "round-ends-at") !== roundEndsAt;
          try {
            await Promise.all([clickTimes(pageA, 12), clickTimes(pageB, 3)]);
            await waitScore(pageA, 12, 3_000);
            await pageA.locator("#buy-button:not([disabled])").click({ timeout: 3_000 });
            await waitText(pageA, "#multiplier", "×2", 3_000);
            assert.equal(await text(pageA, "#buy-cost"), "20");
            await waitScore(pageA, 2, 3_000);
            // Space held down counts once (auto-repeat ignored), Enter once, a click once.
            await pageA.keyboard.down(" ");
            await pageA.keyboard.down(" ");
            await pageA.keyboard.down(" ");
            await pageA.keyboard.up(" ");
            await pageA.keyboard.press("Enter");
            await clickTimes(pageA, 1);
            await Promise.all([waitScore(pageA, 8, 3_000), waitScore(pageB, 3, 3_000)]);
          } catch (error) {
            if (!await roundOver()) throw error;
          }
          if (await roundOver()) {
            console.log(`attempt ${attempt}: the round ended mid-play; trying the next one`);
            continue;
          }
          played = true;
          for (const page of [pageA, pageB]) {
            await waitGame(page, "round-ends-at", roundEndsAt, true);
          }
          assert.equal(await pageA.locator("#result").getAttribute("data-outcome"), "won");
          assert.equal(await text(pageA, "#result-headline"), "You won!");
          assert.match(await text(pageA, "#result-detail"), /\b8 points\b/);
          assert.equal(await pageB.locator("#result").getAttribute("data-outcome"), "lost");
          assert.equal(await text(pageB, "#result-headline"), `${ann} wins`);
          assert.match(await text(pageB, "#result-detail"), /\b8 points\b/);
          assert.equal(await text(pageA, "#wins"), String(winsA + 1));
          assert.equal(await text(pageB, "#wins"), String(winsB));
          assert.equal(await text(pageA, "#score"), "0", "the score resets for the new round");
          assert.equal(await text(pageA, "#multiplier"), "×1");
        }
        assert.ok(played, "no round could be played from start to end in 4 attempts");

        // The leaderboard and the last rounds refresh after the round.
        for (const page of [pageA, pageB]) {
          await page.locator("#leaderboard li").first().filter({ hasText: ann }).waitFor();
          await page.locator("#rounds li").filter({ hasText: ann }).first().waitFor();
        }
        await pageA.evaluate("window.scrollTo(0, 0)");
        await pageA.screenshot({ path: join(await screenshotDir(), "game-two-players.png") });
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "browser: a bad login shows the server's message, a reload keeps the score, a refused token asks to log in",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({
      roundSeconds: 20,
      env: { MAX_CLICKS_PER_SECOND: "10" },
      hashParameters: CHEAP_HASH,
    });
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(
          await browser.newContext({ viewport: { width: 360, height: 740 } }),
        );
        await page.goto(server.url);

        const stranger = uniqueName("nobody");
        const expected = await fetch(new URL("api/account/login", server.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: stranger, password: "not the password" }),
        }).then((response) => response.json());
        await logInInPage(page, stranger, "not the password");
        await page.locator("#login-message:not([hidden])").waitFor();
        assert.equal(await text(page, "#login-message"), expected.message);
        assert.equal(await page.locator("#auth-screen").isVisible(), true);

        const player = await registerAndLogin(server.url);
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        if (Number(await text(page, "#countdown")) < 8) {
          await waitGame(page, "round-ends-at", await game(page, "round-ends-at"), true);
        }
        const roundEndsAt = await game(page, "round-ends-at");
        await clickTimes(page, 5);
        await waitScore(page, 5);

        await page.reload();
        await waitPlaying(page);
        assert.equal(await game(page, "round-ends-at"), roundEndsAt, "still the same round");
        await waitScore(page, 5);
        assert.equal(await text(page, "#user-name"), player.username);

        // Clicking faster than the cap shows the Throttled notice for a moment.
        // Many more than the cap, so a slow machine still goes over it.
        await clickTimes(page, 30);
        await page.locator("#notice:not([hidden])").filter({ hasText: /10 clicks a second/ })
          .waitFor();
        await page.locator("#notice").waitFor({ state: "hidden" });

        // A token the server refuses, as after a restart with a new secret (and no cookie).
        await page.context().clearCookies();
        await page.evaluate(`{
          const session = JSON.parse(localStorage.getItem("clicker.session"));
          localStorage.setItem("clicker.session", JSON.stringify({ ...session, token: "not.a.token" }));
        }`);
        await page.reload();
        await page.locator("#auth-screen:not([hidden])").waitFor();
        assert.match(await text(page, "#login-message"), /session has expired/i);
        assert.equal(await page.evaluate(`localStorage.getItem("clicker.session")`), null);

        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        await page.locator("#logout-button").click();
        await page.locator("#auth-screen:not([hidden])").waitFor();
        assert.match(await text(page, "#login-message"), /logged out/i);
        assert.equal(await page.evaluate(`localStorage.getItem("clicker.session")`), null);
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "browser: killing and restarting the server shows reconnecting, then play resumes",
  ...OPTIONS,
  async fn() {
    let server = await spawnServer({ roundSeconds: 30 });
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(
          await browser.newContext({ viewport: { width: 1024, height: 768 } }),
        );
        const player = await registerAndLogin(server.url);
        const leaderboardFetches: string[] = [];
        page.on("request", (request) => {
          if (request.url().includes("/api/leaderboard")) leaderboardFetches.push(request.url());
        });
        await page.goto(server.url);
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        await clickTimes(page, 3);
        await waitScore(page, 3);

        const { port, databasePath } = server;
        await server.stop("SIGKILL");
        await page.locator('#connection[data-state="reconnecting"]').waitFor();
        assert.equal(await page.locator("#click-button").isDisabled(), true);
        assert.match(await text(page, "#connection-text"), /reconnecting/i);

        server = await spawnServer({ port, databasePath, roundSeconds: 30 });
        await waitPlaying(page, 25_000);
        const score = Number(await game(page, "confirmed-score"));
        await clickTimes(page, 2);
        await waitScore(page, score + 2);
        // No round ended meanwhile: the lists fetched on entering the game are
        // still whole, so neither GameInfo (the first, nor the one after the
        // restart) fetches them again.
        assert.equal(leaderboardFetches.length, 1, leaderboardFetches.join("\n"));
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "browser: a short-lived token is renewed during play, the socket never closes for expiry",
  ...OPTIONS,
  async fn() {
    // Tokens live six seconds; the page must renew them for as long as it plays.
    const server = await startTestServer({
      roundSeconds: 30,
      env: { TOKEN_TTL_MINUTES: "0.1" },
      hashParameters: CHEAP_HASH,
    });
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(await browser.newContext());
        const sockets: string[] = [];
        page.on("websocket", (socket) => sockets.push(socket.url()));
        const renewals: number[] = [];
        page.on("response", (response) => {
          if (response.url().endsWith("/api/account/renew")) renewals.push(response.status());
        });
        const player = await registerAndLogin(server.url);
        await page.goto(server.url);
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        // Three token lifetimes of play, a click every half second.
        let score = Number(await game(page, "confirmed-score"));
        const until = Date.now() + 16_000;
        while (Date.now() < until) {
          await clickTimes(page, 1);
          score += 1;
          await waitScore(page, score, 3_000).catch(async (error) => {
            // A round may end mid-test: the score starts again from the server's.
            if (await game(page, "confirmed-score") !== "0") throw error;
            score = 0;
          });
          assert.equal(
            await page.locator("#auth-screen").isHidden(),
            true,
            "never asked to log in",
          );
          await page.waitForTimeout(500);
        }
        assert.equal(await game(page, "ready"), "true");
        assert.equal(await page.locator("#session-ended").isHidden(), true);
        assert.ok(renewals.length >= 3, `renewed ${renewals.length} times`);
        assert.ok(renewals.every((status) => status === 200), `renewals: ${renewals}`);
        assert.equal(sockets.length, 1, `one socket for the whole time: ${sockets}`);
        // Signed in by the cookie, where the server has one: the token is then
        // neither in the socket's URL nor in storage.
        const probe = await fetch(new URL("api/account/session", server.url));
        await probe.body?.cancel();
        if (probe.status !== 404) {
          assert.doesNotMatch(sockets[0], /access_token/);
          assert.doesNotMatch(
            String(await page.evaluate(`localStorage.getItem("clicker.session")`)),
            /"token":"/,
          );
        }
      });
    } finally {
      await server.stop();
    }
  },
});
