/**
 * Browser tests of what the page tells a player who was away or offline,
 * and of honest numbers: a round that ended while the server was down shows
 * once it is back (result, leaderboard, last rounds), the page is back within
 * a second of the server, offline says offline, and clicks the cap dropped
 * never show as counted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { registerAndLogin } from "../support/accounts.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import {
  clickTimes,
  game,
  logInInPage,
  newPage,
  OPTIONS,
  text,
  waitGame,
  waitPlaying,
  waitScore,
  withBrowser,
} from "./browser_support.ts";

/**
 * The moment `port` first takes a TCP connection, tried every few
 * milliseconds until it does or `signal` aborts (then NaN): the try that got
 * through started at most one try after the port opened.
 */
async function firstAccept(port: number, signal: AbortSignal): Promise<number> {
  while (!signal.aborted) {
    const tried = Date.now();
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
      return tried;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return NaN;
}

Deno.test({
  name: "browser: a round won while the server was down shows once it is back, within a second",
  ...OPTIONS,
  async fn() {
    let server = await spawnServer({ roundSeconds: 5 });
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(
          await browser.newContext({ viewport: { width: 1024, height: 768 } }),
        );
        const player = await registerAndLogin(server.url);
        await page.goto(server.url);
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        if (Number(await text(page, "#countdown")) < 4) {
          await waitGame(page, "round-ends-at", await game(page, "round-ends-at"), true);
        }
        const roundId = Number(await text(page, "#round-number"));
        const endsAt = Number(await game(page, "round-ends-at"));
        await clickTimes(page, 3);
        await waitScore(page, 3);
        // The round in progress is saved at most once a second.
        await page.waitForTimeout(1_300);

        const { port, databasePath } = server;
        await server.stop("SIGKILL");
        const killed = Date.now();
        await page.locator('#connection[data-state="reconnecting"]').waitFor();
        // Back only once the round has ended: it is closed from what was saved.
        const wait = endsAt - Date.now() + 300;
        if (wait > 0) await page.waitForTimeout(wait);
        // The server is back from the first of: its port taking a connection, its
        // "Listening on" line read here (a few milliseconds after it is printed).
        const portOpen = new AbortController();
        const opened = firstAccept(port, portOpen.signal);
        const started = Date.now();
        try {
          server = await spawnServer({ port, databasePath, roundSeconds: 5 });
        } catch (error) {
          portOpen.abort();
          throw error;
        }
        const listened = Date.now();
        const returned = Math.min(await opened, listened);
        await waitPlaying(page, 5_000);
        // When the page itself says it turned connected, not when this test noticed.
        const connectedAt = Number(
          await page.locator("#connection").getAttribute("data-connected-at"),
        );
        assert.ok(connectedAt > killed, "connected again after the server died");
        const took = connectedAt - returned;
        console.log(
          `back ${took} ms after the server returned (its port opened ${
            returned - started
          } ms after it was started; the line read ${listened - returned} ms later)`,
        );
        assert.ok(took < 1_000, `connected ${took} ms after the server returned`);

        // The result it missed, from GameInfo; then the leaderboard and last rounds.
        await page.locator(`#result[data-round-id="${roundId}"]`).waitFor({ timeout: 3_000 });
        assert.equal(await page.locator("#result").getAttribute("data-outcome"), "won");
        assert.match(await text(page, "#result-detail"), /\b3 points\b/);
        await page.locator("#leaderboard li").filter({ hasText: player.username }).waitFor();
        await page.locator("#rounds li").filter({ hasText: `#${roundId}` }).waitFor();
        assert.equal(await text(page, "#wins"), "1");
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "browser: offline says offline and counts nothing; dropped clicks never show as counted",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({
      roundSeconds: 30,
      env: { MAX_CLICKS_PER_SECOND: "5" },
      hashParameters: CHEAP_HASH,
    });
    try {
      await withBrowser(async (browser) => {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        const page = await newPage(context);
        const player = await registerAndLogin(server.url);
        await page.goto(server.url);
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        if (Number(await text(page, "#countdown")) < 15) {
          await waitGame(page, "round-ends-at", await game(page, "round-ends-at"), true);
        }

        // Every score shown and every "+N" that floats up, as the page shows them.
        await page.evaluate(`{
          window.shown = [];
          window.floats = 0;
          new MutationObserver(() => window.shown.push(document.querySelector("#score").textContent))
            .observe(document.querySelector("#score"), { childList: true, characterData: true, subtree: true });
          new MutationObserver((records) => {
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (node.classList?.contains("float-gain")) window.floats++;
              }
            }
          }).observe(document.querySelector("#click-zone"), { childList: true });
        }`);
        const buyBefore = await page.locator("#buy-button").boundingBox();
        await clickTimes(page, 20);
        await page.locator('#game-screen[data-pending="0"]').waitFor();
        await page.locator("#notice:not([hidden])").waitFor();
        assert.deepEqual(
          await page.locator("#buy-button").boundingBox(),
          buyBefore,
          "the notice moves nothing",
        );
        const score = Number(await game(page, "confirmed-score"));
        assert.ok(score < 20, `the cap dropped some clicks (score ${score})`);
        assert.equal(await page.evaluate("window.floats"), score, "one +1 per counted click");
        const shown = (await page.evaluate("window.shown") as string[]).map(Number);
        assert.ok(
          shown.every((value, i) => i === 0 || value >= shown[i - 1]),
          `the score never went back: ${shown}`,
        );
        assert.equal(await text(page, "#score"), String(score));

        // Offline: said so at once, and nothing can be clicked.
        await context.setOffline(true);
        await page.locator('#connection[data-state="offline"]').waitFor({ timeout: 2_000 });
        assert.match(await text(page, "#connection-text"), /offline/i);
        assert.equal(await page.locator("#click-button").isDisabled(), true);
        const floats = await page.evaluate("window.floats");
        await page.locator("#click-button").click({ force: true });
        await page.waitForTimeout(300);
        assert.equal(await page.evaluate("window.floats"), floats, "no +N offline");
        assert.equal(await text(page, "#score"), String(score));

        const back = Date.now();
        await context.setOffline(false);
        await waitPlaying(page, 3_000);
        // When the page itself says it turned connected, not when this test noticed.
        const connectedAt = Number(
          await page.locator("#connection").getAttribute("data-connected-at"),
        );
        assert.ok(connectedAt >= back, "connected again after the network came back");
        const took = connectedAt - back;
        console.log(`back ${took} ms after the network`);
        assert.ok(took < 1_000, `back ${took} ms after the network`);
        await waitScore(page, score);
      });
    } finally {
      await server.stop();
    }
  },
});
