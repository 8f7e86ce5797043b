/**
 * Browser test of the race as three players feel it: during a short round
 * each page shows the others' scores live (the page calls `WatchRace` and
 * draws each `Race`), and when it ends each shows the podium from
 * `EndRound.standings` and its own line, "You: N, kth of 3".
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { uniqueName } from "../support/accounts.ts";
import {
  clickTimes,
  game,
  newPage,
  OPTIONS,
  registerInPage,
  screenshotDir,
  text,
  waitGame,
  waitScore,
  withBrowser,
} from "./browser_support.ts";

/** Waits until the race list of `page` shows `username` with `score`. */
async function waitRacer(page: Page, username: string, score: number): Promise<void> {
  await page.locator("#race-list li").filter({ hasText: username }).filter({
    has: page.locator(".racer-score", { hasText: new RegExp(`^${score}$`) }),
  }).waitFor({ timeout: 3_000 });
}

Deno.test({
  name: "browser: three players see each other's scores live, then the podium and their place",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 3, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const names = [uniqueName("ann"), uniqueName("bob"), uniqueName("cy")];
        const pages: Page[] = [];
        for (const name of names) {
          const page = await newPage(
            await browser.newContext({ viewport: { width: 1280, height: 860 } }),
          );
          await page.goto(server.url);
          await registerInPage(page, name);
          pages.push(page);
        }
        // Different scores, so places are not shared: 6, 4 and 2.
        const scores = [6, 4, 2];
        let played = false;
        let missed = "";
        for (let attempt = 1; attempt <= 4 && !played; attempt++) {
          // Right after a boundary, everyone clicks.
          const [first] = pages;
          await waitGame(first, "round-ends-at", await game(first, "round-ends-at"), true);
          const endsAt = await game(first, "round-ends-at");
          for (const page of pages) await waitGame(page, "round-ends-at", endsAt);
          try {
            await Promise.all(pages.map((page, i) => clickTimes(page, scores[i])));
            await Promise.all(pages.map((page, i) => waitScore(page, scores[i], 2_000)));
            // Each page shows the others live, with the scores they have now.
            await Promise.all(
              pages.flatMap((page) => names.map((name, i) => waitRacer(page, name, scores[i]))),
            );
          } catch (error) {
            if (await game(first, "round-ends-at") === endsAt) throw error;
            missed = error instanceof Error ? error.message.split("\n")[0] : String(error);
            console.log(
              `attempt ${attempt}: the round ended mid-play (${missed}); trying the next`,
            );
            continue;
          }
          assert.equal(await game(first, "round-ends-at"), endsAt, "the round still runs");
          for (const [i, page] of pages.entries()) {
            const place = ["1st", "2nd", "3rd"][i];
            assert.equal(await text(page, "#race-summary"), raceSummary(i, names, scores));
            assert.equal(
              await page.locator("#race-list li.me").textContent().then((t) =>
                t?.includes(names[i])
              ),
              true,
              `${names[i]}'s own row is marked (${place})`,
            );
          }
          played = true;

          // The round's end: the podium and each one's own line, kept all the next round.
          for (const page of pages) await waitGame(page, "round-ends-at", endsAt, true);
          for (const [i, page] of pages.entries()) {
            const place = ["1st", "2nd", "3rd"][i];
            await page.locator("#podium li").nth(2).waitFor({ timeout: 3_000 });
            const podium = await page.locator("#podium li .podium-name").allTextContents();
            assert.deepEqual(podium, names, `the podium on ${names[i]}'s page`);
            assert.equal(
              await text(page, "#result-you"),
              `You: ${scores[i]}, ${place} of 3`,
              `${names[i]}'s own line`,
            );
            await page.screenshot({
              path: join(await screenshotDir(), `race-end-${place}.png`),
            });
          }
          // The next round's clicks count at once.
          await clickTimes(pages[2], 1);
          await waitScore(pages[2], 1, 2_000);
        }
        assert.ok(played, `no round could be played from start to end in 4 attempts: ${missed}`);
      });
    } finally {
      await server.stop();
    }
  },
});

/** What the race panel says to the player in place `i` (0 for the leader). */
function raceSummary(i: number, names: readonly string[], scores: readonly number[]): string {
  if (i === 0) return `You: 1st of 3, ${scores[0] - scores[1]} ahead`;
  return `You: ${["1st", "2nd", "3rd"][i]} of 3 · ${names[0]} leads with ${scores[0]}`;
}
