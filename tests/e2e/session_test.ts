/**
 * Browser tests of a login that ends mid-play: the page says why, keeps the
 * round's result in view, and keys held for the game never reach the login
 * form, so a player mashing Space or Enter can't lock their own account.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { registerAndLogin } from "../support/accounts.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import {
  clickTimes,
  logInInPage,
  newPage,
  OPTIONS,
  screenshotDir,
  text,
  waitPlaying,
  withBrowser,
} from "./browser_support.ts";

Deno.test({
  name:
    "browser: a session that ends mid-play keeps the result, says why, and held keys press nothing",
  ...OPTIONS,
  async fn() {
    // Tokens live fifteen seconds and rounds two: a result is on screen when the session
    // ends, and a loaded machine still has time to log in and click before it does.
    const server = await startTestServer({
      roundSeconds: 2,
      env: { TOKEN_TTL_MINUTES: "0.25" },
      hashParameters: CHEAP_HASH,
    });
    try {
      await withBrowser(async (browser) => {
        for (const viewport of [{ width: 1280, height: 860 }, { width: 390, height: 844 }]) {
          const page = await newPage(await browser.newContext({ viewport }));
          const logins: string[] = [];
          page.on("request", (request) => {
            if (request.url().endsWith("/api/account/login")) logins.push(request.url());
          });
          // The server won't renew: the session ends when the token does.
          await page.route("**/api/account/renew", (route) =>
            route.fulfill({
              status: 401,
              contentType: "application/json",
              body: JSON.stringify({ message: "Token expired" }),
            }));
          const player = await registerAndLogin(server.url);
          await page.goto(server.url);
          await logInInPage(page, player.username, player.password);
          await waitPlaying(page);
          const loginsBefore = logins.length;
          await page.locator("#result[data-round-id]").waitFor();
          await clickTimes(page, 2);

          // Space held down on the click button as the session ends, then Enter
          // and Space mashed and held.
          await page.locator("#click-button").focus();
          await page.keyboard.down(" ");
          await page.locator("#session-ended:not([hidden])").waitFor({ timeout: 15_000 });
          await page.keyboard.down("Enter");
          await page.keyboard.down("Enter");
          await page.keyboard.down(" ");
          await page.keyboard.up("Enter");
          await page.keyboard.up(" ");
          await page.waitForTimeout(300);

          assert.match(await text(page, "#session-ended-text"), /session has expired/i);
          assert.equal(await page.locator("#auth-screen").isHidden(), true, "no form yet");
          assert.equal(await page.locator("#result").isVisible(), true, "the result stays");
          assert.match(await text(page, "#result-label"), /Round \d+ is over/);
          assert.equal(await page.locator("#click-button").isDisabled(), true);
          assert.equal(await page.locator("#connection").getAttribute("data-state"), "signed-out");
          assert.equal(
            await page.evaluate(`document.activeElement?.id`),
            "session-ended",
            "the focus is on the notice, where keys press nothing",
          );
          assert.equal(logins.length, loginsBefore, "no login was sent by held keys");
          await page.screenshot({
            path: join(await screenshotDir(), `session-ended-${viewport.width}.png`),
          });

          // The player asks for the form: it names them and waits for the password.
          await page.locator("#relogin-button").click();
          await page.locator("#auth-screen:not([hidden])").waitFor();
          assert.match(await text(page, "#login-message"), /session has expired/i);
          assert.equal(await page.locator("#login-username").inputValue(), player.username);
          assert.equal(await page.evaluate(`document.activeElement?.id`), "login-password");
          await page.unroute("**/api/account/renew");
          await logInInPage(page, player.username, player.password);
          await waitPlaying(page);
          await page.close();
        }
      });
    } finally {
      await server.stop();
    }
  },
});

/**
 * Holds the page's session checks until `release()`, then answers them with
 * `status` and `body`; `asked` resolves when the first one is made.
 */
async function holdSessionCheck(
  page: Page,
  status: number,
  body: unknown,
): Promise<{ asked: Promise<void>; release: () => void }> {
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  let ask = () => {};
  const asked = new Promise<void>((resolve) => ask = resolve);
  await page.route("**/api/account/session", async (route) => {
    ask();
    await held;
    await route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
  });
  return { asked, release };
}

Deno.test({
  name:
    "browser: a reload shows the game before the session check; only a refusal or a logout ends it",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 30, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const context = await browser.newContext();
        // The screen the page's first frame shows (its animation frames run
        // before each paint): the one the script picked, never the empty
        // "loading" state, which would flash and be laid out twice.
        await context.addInitScript(
          `requestAnimationFrame(() => { globalThis.firstFrame = document.body.dataset.screen; })`,
        );
        const page = await newPage(context);
        const firstFrame = async () => {
          await page.waitForFunction(`"firstFrame" in globalThis`);
          return await page.evaluate(`globalThis.firstFrame`);
        };
        const player = await registerAndLogin(server.url);
        await page.goto(server.url);
        assert.equal(await firstFrame(), "auth", "a first visit's first frame is the form");
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);

        // The session check is held until the page is looked at, then fails
        // as a server in trouble would (503): the cookie may still be good.
        const failing = await holdSessionCheck(page, 503, {
          message: "The game's database is unavailable; try again later",
        });
        await page.reload();
        await failing.asked;
        assert.equal(await firstFrame(), "game", "a stored login's first frame is the game");
        assert.equal(await page.locator("#game-screen").isVisible(), true, "the game at once");
        assert.equal(await page.locator("#auth-screen").isHidden(), true);
        assert.equal(await text(page, "#user-name"), player.username);
        assert.equal(await page.locator("#click-button").isDisabled(), true, "not yet playing");
        failing.release();
        await waitPlaying(page);
        assert.notEqual(
          await page.evaluate(`localStorage.length`),
          0,
          "the stored login outlived the failed check",
        );
        await page.unroute("**/api/account/session");

        // Without its cookie the login is refused: the form, and why.
        await context.clearCookies();
        await page.reload();
        await page.locator("#auth-screen:not([hidden])").waitFor();
        assert.match(await text(page, "#login-message"), /session has expired/i);
        assert.equal(await page.locator("#game-screen").isHidden(), true);
        assert.equal(await page.evaluate(`localStorage.length`), 0, "the stale login is gone");

        // Logging out while the check is out: its late answer brings nobody back.
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        const late = await holdSessionCheck(page, 200, {
          username: player.username,
          expiresAt: Date.now() + 60_000,
        });
        await page.reload();
        await late.asked;
        let sockets = 0;
        page.on("websocket", () => sockets++);
        await page.locator("#logout-button").click();
        await page.locator("#auth-screen:not([hidden])").waitFor();
        const answered = page.waitForEvent("requestfinished", {
          predicate: (request) => request.url().endsWith("/api/account/session"),
        });
        late.release();
        await answered;
        // A task after the answer's: the page has read it.
        await page.evaluate(() => new Promise((resolve) => setTimeout(resolve)));
        assert.equal(await page.locator("#auth-screen").isVisible(), true, "still logged out");
        assert.equal(await page.locator("#game-screen").isHidden(), true);
        assert.equal(await page.evaluate(`localStorage.length`), 0);
        assert.equal(sockets, 0, "no hub connection after the logout");
        await context.close();
      });
    } finally {
      await server.stop();
    }
  },
});
