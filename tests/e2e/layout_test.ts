/**
 * Browser tests of the page's layout and manners: on a laptop (1366×768) and
 * a phone (390×844) the whole game card, Buy included, is on screen without
 * scrolling, in a round and after one, and the connection's state stays in
 * view however far the page is scrolled; on a phone Click and Buy don't move
 * when a round ends;
 * two players who tie share the win and the leaderboard rank; rounds nobody
 * played don't crowd the list; after a purchase by keyboard the focus stays
 * on a control; the registration form checks every rule as one types.
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
  PASSWORD,
  registerInPage,
  screenshotDir,
  text,
  waitGame,
  waitPlaying,
  waitScore,
  withBrowser,
} from "./browser_support.ts";

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

/** Asserts that `selector` lies wholly inside the viewport, with no scrolling. */
async function assertOnScreen(page: Page, selector: string, when: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is shown ${when}`);
  const { height } = page.viewportSize()!;
  assert.ok(
    box.y >= 0 && box.y + box.height <= height,
    `${selector} ${when}: ${JSON.stringify(box)}`,
  );
}

/** Asserts that the whole of `selector` is in view, below the sticky top bar. */
async function assertBelowBar(page: Page, selector: string, when: string): Promise<void> {
  const bar = await page.locator(".topbar").boundingBox();
  const box = await page.locator(selector).boundingBox();
  assert.ok(bar && box, `${selector} is shown ${when}`);
  const { height } = page.viewportSize()!;
  assert.ok(
    box.y >= bar.y + bar.height && box.y + box.height <= height,
    `${selector} ${when} is not wholly under the top bar (${
      JSON.stringify(bar)
    }) and on screen (${height} px): ${JSON.stringify(box)}`,
  );
}

const LAPTOP = { viewport: { width: 1366, height: 768 } };

Deno.test({
  name:
    "browser: at 1366×768 and 390×844 the game card fits whole; the connection's state stays in view",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 3, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        for (const size of [LAPTOP, PHONE]) {
          const width = size.viewport.width;
          const context = await browser.newContext(size);
          const page = await newPage(context);
          await page.goto(server.url);
          await registerInPage(page, uniqueName("fit"));
          assert.equal(await page.evaluate("window.scrollY"), 0);
          await assertBelowBar(page, ".arena", `in a round at ${width} px`);
          await assertOnScreen(page, "#buy-button", `in a round at ${width} px`);

          // A round this player won: the result panel with the player's own line.
          await clickTimes(page, 2);
          await page.locator('#result[data-outcome="won"]').waitFor({ timeout: 10_000 });
          await assertBelowBar(page, ".arena", `after a round at ${width} px`);
          await page.screenshot({ path: join(await screenshotDir(), `fit-${width}.png`) });

          // Scrolled to the very bottom, during an outage: the state is still in view.
          await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)");
          await context.setOffline(true);
          await page.locator('#connection[data-state="offline"]').waitFor({ timeout: 3_000 });
          await assertOnScreen(page, "#connection", `scrolled down, offline, at ${width} px`);
          await context.setOffline(false);
          await waitPlaying(page);
          await context.close();
        }
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "browser: on a phone Click and Buy fit and stay put; ties share the win and the rank",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 4, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const phone = await newPage(await browser.newContext(PHONE));
        const other = await newPage(await browser.newContext(PHONE));
        const [ann, bob] = [uniqueName("ann"), uniqueName("bob")];
        await Promise.all([phone.goto(server.url), other.goto(server.url)]);
        await Promise.all([registerInPage(phone, ann), registerInPage(other, bob)]);
        assert.equal(await phone.evaluate("window.scrollY"), 0);
        await assertOnScreen(phone, "#click-button", "in a round");
        await assertOnScreen(phone, "#buy-button", "in a round");

        let tied = false;
        for (let attempt = 1; attempt <= 4 && !tied; attempt++) {
          // Right after a boundary, both tap three times.
          await waitGame(phone, "round-ends-at", await game(phone, "round-ends-at"), true);
          const endsAt = await game(phone, "round-ends-at");
          await waitGame(other, "round-ends-at", endsAt);
          await Promise.all([clickTimes(phone, 3), clickTimes(other, 3)]);
          await Promise.all([waitScore(phone, 3, 2_000), waitScore(other, 3, 2_000)]).catch(
            () => {},
          );
          // The last tap's press animation is over: it squeezes the button for a moment.
          await phone.evaluate(`Promise.all(document.querySelector("#click-button")
            .getAnimations().map((animation) => animation.finished)).then(() => true)`);
          const before = await phone.locator("#click-button").boundingBox();
          const buyBefore = await phone.locator("#buy-button").boundingBox();
          await waitGame(phone, "round-ends-at", endsAt, true);
          await phone.waitForTimeout(500);
          // Nothing moved under the finger when the round ended.
          assert.deepEqual(await phone.locator("#click-button").boundingBox(), before);
          assert.deepEqual(await phone.locator("#buy-button").boundingBox(), buyBefore);
          await assertOnScreen(phone, "#click-button", "after a round");
          await assertOnScreen(phone, "#buy-button", "after a round");
          tied = await phone.locator("#result").getAttribute("data-outcome") === "tied";
        }
        assert.ok(tied, "no round ended in a tie in 4 attempts");
        assert.equal(await text(phone, "#result-headline"), "You tied for the win!");
        assert.match(await text(phone, "#result-detail"), /\b3 points\b/);

        // Both have one win: one rank, one medal.
        for (const name of [ann, bob]) {
          await phone.locator("#leaderboard li").filter({ hasText: name }).waitFor();
        }
        const ranks = await phone.locator("#leaderboard li").evaluateAll((items) =>
          items.map((item) => item.querySelector(".rank")!.className)
        );
        assert.deepEqual(ranks, ["rank rank-1", "rank rank-1"]);

        // Rounds nobody played are left out: the list shows the tie.
        await phone.locator("#rounds li").filter({ hasText: ann }).filter({ hasText: bob })
          .waitFor();
        assert.equal(await phone.locator("#rounds li").filter({ hasText: "No winner" }).count(), 0);
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "browser: a purchase by keyboard keeps the focus on a control; registration checks as one types",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 30, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(await browser.newContext());
        await page.goto(server.url);
        await page.locator("#register-tab").click();

        // Every rule is stated before typing.
        assert.equal(await page.locator("#register-password-rules li").count(), 4);
        const name = uniqueName("kb");
        await page.locator("#register-username").fill("a");
        await page.locator("#register-email").fill("nope");
        await page.locator("#register-password").fill("aaa");
        await page.locator("#register-confirm").fill("aab");
        await page.locator("#register-submit").click();
        // Every wrong field is marked, each broken rule once by its ✗ line, and the first one has the focus.
        for (const field of ["username", "email", "password", "confirm"]) {
          assert.equal(
            await page.locator(`#register-${field}`).getAttribute("aria-invalid"),
            "true",
            field,
          );
        }
        assert.equal(await page.evaluate(`document.activeElement?.id`), "register-username");
        for (const field of ["username", "password", "confirm"]) {
          assert.equal(
            await page.locator(`#register-${field}-rules [data-state=broken]`).count() > 0,
            true,
            field,
          );
          assert.equal(
            await text(page, `#register-${field}-error`),
            "",
            `${field}: no sentence repeats the rule`,
          );
        }
        // Fixed as one types, field by field.
        await page.locator("#register-username").fill(name);
        assert.equal(await page.locator("#register-username").getAttribute("aria-invalid"), null);
        assert.equal(await page.locator("#register-email").getAttribute("aria-invalid"), "true");
        await page.locator("#register-email").fill(`${name}@example.com`);
        await page.locator("#register-password").fill(PASSWORD);
        await page.locator("#register-confirm").fill(PASSWORD);
        assert.equal(await page.locator("[aria-invalid=true]").count(), 0);
        await page.locator("#register-submit").click();
        await page.locator('#game-screen[data-ready="true"]').waitFor();

        // Keyboard only: Space clicks, Tab to Buy, Enter buys, and the focus stays on a control.
        for (let i = 0; i < 10; i++) await page.keyboard.press(" ");
        await waitScore(page, 10);
        await page.locator("#buy-button").focus();
        await page.keyboard.press("Enter");
        await page.locator("#multiplier").filter({ hasText: "×2" }).waitFor();
        await page.locator("#buy-button[disabled]").waitFor();
        assert.equal(await page.evaluate(`document.activeElement?.id`), "click-button");
        await page.keyboard.press(" ");
        await waitScore(page, 2);
      });
    } finally {
      await server.stop();
    }
  },
});
