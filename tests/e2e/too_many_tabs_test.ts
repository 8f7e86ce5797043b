/**
 * Browser test of one player in more tabs than the server lets one player
 * hold (5): the tab that gives way says why and waits for its player instead
 * of reconnecting, so six tabs open for a minute make one connect each, not
 * a storm of them knocking each other off; and "Play here" moves the game
 * to that tab, pausing exactly one other.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { uniqueName } from "../support/accounts.ts";
import { newPage, OPTIONS, registerInPage, waitPlaying, withBrowser } from "./browser_support.ts";

/** Tabs of one player: one more than the server lets a player hold. */
const TABS = 6;
/** How long the tabs stay open together, as in the field. */
const MINUTE_MS = 60_000;

/** The tabs of a context, and the hub connections all of them asked for. */
interface Tabs {
  readonly pages: Page[];
  /** WebSockets to the hub the pages opened, in all. */
  connects: number;
}

async function openTab(context: BrowserContext, tabs: Tabs, url: string): Promise<Page> {
  const page = await newPage(context);
  page.on("websocket", (socket) => {
    if (new URL(socket.url()).pathname === "/game") tabs.connects += 1;
  });
  tabs.pages.push(page);
  await page.goto(url);
  return page;
}

/** The tabs that show the "playing in another tab" panel. */
async function paused(tabs: Tabs): Promise<Page[]> {
  const shown = await Promise.all(tabs.pages.map((page) => page.locator("#elsewhere").isVisible()));
  return tabs.pages.filter((_, i) => shown[i]);
}

/** Waits until `page` shows the panel, with its words and its button. */
async function waitPaused(page: Page): Promise<void> {
  await page.locator('#connection[data-state="elsewhere"]').waitFor();
  await page.locator("#elsewhere").waitFor({ state: "visible" });
  await page.locator("#elsewhere-text").filter({ hasText: /another tab or window/ }).waitFor();
}

Deno.test({
  name: "browser: six tabs of one player for a minute make a handful of connects, not a storm",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 30, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const context = await browser.newContext({ viewport: { width: 1024, height: 760 } });
        const tabs: Tabs = { pages: [], connects: 0 };
        const first = await openTab(context, tabs, server.url);
        await registerInPage(first, uniqueName("tabs"));
        // The others are logged in already (the login is shared), and each plays.
        for (let i = 1; i < TABS - 1; i++) {
          await waitPlaying(await openTab(context, tabs, server.url));
        }
        // The sixth: the oldest tab gives way, says why, and waits.
        await waitPlaying(await openTab(context, tabs, server.url));
        await waitPaused(first);

        // A minute of six tabs; meanwhile the paused tab hears what would
        // wake a reconnect (the network's return, coming into view): not this wait.
        const started = Date.now();
        await first.evaluate(`{
          window.dispatchEvent(new Event("online"));
          document.dispatchEvent(new Event("visibilitychange"));
        }`);
        await first.bringToFront();
        await new Promise((resolve) => setTimeout(resolve, MINUTE_MS - (Date.now() - started)));
        const inAMinute = tabs.connects;
        console.log(`${TABS} tabs, ${inAMinute} hub connects in ${MINUTE_MS / 1000} s`);
        // One each; a page may retry a connect that failed while its server was busy.
        assert.ok(inAMinute >= TABS && inAMinute <= TABS + 2, `${inAMinute} connects`);
        assert.deepEqual(await paused(tabs), [first], "the first tab alone is paused");
        const button = first.locator("#play-here-button");
        assert.equal(await button.isEnabled(), true);
        assert.equal(await first.locator("#click-button").isDisabled(), true);
        let health = await (await fetch(server.url + "healthz")).json();
        assert.deepEqual(health.online, { players: 1, connections: TABS - 1 });

        // Playing here: this tab plays again, and exactly one other gives way.
        await button.click();
        await waitPlaying(first);
        const other = await Promise.any(
          tabs.pages.slice(1).map(async (page) => {
            await waitPaused(page);
            return page;
          }),
        );
        assert.deepEqual(await paused(tabs), [other], "exactly one other tab is paused");
        assert.equal(tabs.connects, inAMinute + 1, "one connect: the one the player asked for");
        health = await (await fetch(server.url + "healthz")).json();
        assert.deepEqual(health.online, { players: 1, connections: TABS - 1 });
      });
    } finally {
      await server.stop();
    }
  },
});
