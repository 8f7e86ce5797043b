/**
 * Browser tests of one player in two tabs: a new tab is already logged in,
 * both show the same score, multiplier and Buy state within moments of a
 * change in either, and logging out in one logs out the other.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { uniqueName } from "../support/accounts.ts";
import {
  clickTimes,
  game,
  newPage,
  OPTIONS,
  registerInPage,
  text,
  waitGame,
  waitPlaying,
  waitScore,
  withBrowser,
} from "./browser_support.ts";

/** How long after `page` confirmed `score` the other tab showed it, in ms. */
async function lagUntil(other: Page, score: number): Promise<number> {
  const started = Date.now();
  await other.locator("#score").filter({ hasText: new RegExp(`^\\s*${score}\\s*$`) })
    .waitFor({ timeout: 3_000 });
  return Date.now() - started;
}

Deno.test({
  name: "browser: a second tab is logged in and shows the same standing as the first",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 30, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
        const first = await newPage(context);
        await first.goto(server.url);
        await registerInPage(first, uniqueName("tabs"));
        if (Number(await text(first, "#countdown")) < 15) {
          await waitGame(first, "round-ends-at", await game(first, "round-ends-at"), true);
        }

        // A new tab of the same browser asks for no login.
        const second = await newPage(context);
        await second.goto(server.url);
        await waitPlaying(second);
        assert.equal(await second.locator("#auth-screen").isHidden(), true);
        assert.equal(await text(second, "#user-name"), await text(first, "#user-name"));

        // Clicks in one tab move the other.
        const lags: number[] = [];
        for (let score = 1; score <= 10; score++) {
          await clickTimes(first, 1);
          await waitScore(first, score);
          lags.push(await lagUntil(second, score));
        }
        assert.equal(
          await second.locator("#buy-button").isEnabled(),
          true,
          "Buy enabled there too",
        );
        // Playwright's own polling adds to what is measured; the server sends at most 50 ms apart.
        lags.sort((a, b) => a - b);
        assert.ok(lags[Math.floor(lags.length / 2)] < 250, `median lag ${lags} ms`);

        // A purchase in the second tab shows in the first.
        await second.locator("#buy-button").click();
        await waitScore(second, 0);
        await first.locator("#multiplier").filter({ hasText: "×2" }).waitFor({ timeout: 1_000 });
        await lagUntil(first, 0);
        assert.equal(await text(first, "#buy-cost"), "20");
        assert.equal(await first.locator("#buy-button").isDisabled(), true);

        // And clicks there, worth 2 now, show here.
        await clickTimes(second, 3);
        await waitScore(second, 6);
        await lagUntil(first, 6);

        // Logging out in one tab logs out both.
        await first.locator("#logout-button").click();
        await second.locator("#auth-screen:not([hidden])").waitFor({ timeout: 3_000 });
        assert.match(await text(second, "#login-message"), /logged out/i);
      });
    } finally {
      await server.stop();
    }
  },
});
