/**
 * Messages people read once, in Chromium: a login locked out after too many
 * failures says so once, with a countdown that a screen reader hears once,
 * and the form works again when it ends; registration says each broken rule
 * once, by its ✗ line, and a taken name under its field only.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { postJson, uniqueName } from "../support/accounts.ts";
import { newPage, OPTIONS, PASSWORD, text, withBrowser } from "./browser_support.ts";

/** The text of `selector` a sighted player sees: without what only screen readers get. */
async function visibleText(page: Page, selector: string): Promise<string> {
  return await page.evaluate(`[...document.querySelector(${JSON.stringify(selector)}).childNodes]
    .filter((node) => !(node.classList && node.classList.contains("sr-only")))
    .map((node) => node.textContent).join("").trim()`) as string;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

async function register(url: string, username: string): Promise<void> {
  const answer = await postJson(new URL("api/account/register", url).href, {
    username,
    email: `${uniqueName()}@example.com`,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

Deno.test({
  name: "browser: a locked-out login says so once, counts down, and the form works again after",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({
      hashParameters: CHEAP_HASH,
      env: { LOGIN_ATTEMPTS: "2" },
    });
    try {
      const name = uniqueName("Zoë");
      await register(server.url, name);
      await withBrowser(async (browser) => {
        const page = await newPage(await browser.newContext());
        // The page's clock is the test's, so fifteen minutes pass at once.
        await page.clock.install();
        await page.goto(server.url);
        for (let i = 0; i < 2; i++) {
          await page.locator("#login-username").fill(name);
          await page.locator("#login-password").fill("wrong password");
          await page.locator("#login-submit:not([disabled])").click();
          await page.locator("#login-message").filter({ hasText: "Invalid" }).waitFor();
          await page.locator("#login-submit:not([disabled])").waitFor();
        }
        await page.locator("#login-password").fill(PASSWORD);
        await page.locator("#login-submit").click();
        const clock = page.locator("#login-message .wait-clock");
        await clock.waitFor();

        const shown = await visibleText(page, "#login-message");
        assert.match(shown, /^Too many failed logins\. Try again in 1[45]:\d\d$/);
        assert.equal(count(shown.toLowerCase(), "try again"), 1, shown);
        assert.equal(count(await text(page, "body"), "Too many failed logins"), 1);
        assert.equal(await page.locator("#login-submit").isDisabled(), true);
        // What a screen reader gets: the sentence with the wait in words, not the ticking clock.
        const heard = await page.locator("#login-message").ariaSnapshot();
        assert.match(heard, /Too many failed logins\. Try again in 15 minutes/);
        assert.doesNotMatch(heard, /\d:\d\d/);

        // Counting down: the clock moves, what is announced does not.
        const before = await clock.textContent();
        await page.clock.runFor(3_000);
        const after = await clock.textContent();
        assert.notEqual(after, before);
        assert.equal(await page.locator("#login-message").ariaSnapshot(), heard);
        const [m1, s1] = before!.split(":").map(Number);
        const [m2, s2] = after!.split(":").map(Number);
        assert.equal(m1 * 60 + s1 - (m2 * 60 + s2), 3);

        // When the wait is over, the message goes and the form works again.
        await page.clock.fastForward("15:00");
        await page.locator("#login-message").waitFor({ state: "hidden" });
        await page.locator("#login-submit:not([disabled])").waitFor();
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "browser: registration says each broken rule once, and a taken name under its field only",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ hashParameters: CHEAP_HASH });
    try {
      const taken = uniqueName("alice");
      await register(server.url, taken);
      await withBrowser(async (browser) => {
        const page = await newPage(await browser.newContext());
        await page.goto(server.url);
        await page.locator("#register-tab").click();
        await page.locator("#register-username").fill("a");
        await page.locator("#register-email").fill("nope");
        await page.locator("#register-password").fill("aaa");
        await page.locator("#register-confirm").fill("aab");
        await page.locator("#register-submit").click();

        const panel = await text(page, "#register-panel");
        for (
          const [field, rule] of [
            ["username", "3 to 32 letters or digits of any script, _ - or ."],
            ["email", "A valid email address"],
            ["password", "8 to 128 characters"],
            ["confirm", "The same password again"],
          ]
        ) {
          assert.equal(count(panel, rule), 1, rule);
          const item = page.locator(`#register-${field}-rules li`).filter({ hasText: rule });
          assert.equal(await item.getAttribute("data-state"), "broken", rule);
          assert.equal(await text(page, `#register-${field}-error`), "", field);
        }
        // No sentence repeats a rule, and no banner sums them up.
        for (const message of ["username must be", "password must be", "passwords do not match"]) {
          assert.equal(count(panel, message), 0, message);
        }
        assert.equal(await page.locator("#register-message").isHidden(), true);

        // A name that reads like a taken one (Cyrillic а): under the field, not in the banner.
        const lookAlike = taken.replace("a", "\u0430");
        await page.locator("#register-username").fill(lookAlike);
        await page.locator("#register-email").fill(`${uniqueName()}@example.com`);
        await page.locator("#register-password").fill(PASSWORD);
        await page.locator("#register-confirm").fill(PASSWORD);
        await page.locator("#register-submit").click();
        await page.locator("#register-username-error").filter({ hasText: "already taken" })
          .waitFor();
        assert.equal(
          await text(page, "#register-username-error"),
          "That username is already taken",
        );
        assert.equal(await page.locator("#register-message").isHidden(), true);
        assert.equal(count(await text(page, "body"), "already taken"), 1);
        assert.equal(await page.locator("#register-username").getAttribute("aria-invalid"), "true");
        assert.equal(await page.evaluate(`document.activeElement?.id`), "register-username");

        // A name of another script registers and plays.
        await page.locator("#register-username").fill(uniqueName("José"));
        assert.equal(await page.locator("#register-username").getAttribute("aria-invalid"), null);
        await page.locator("#register-submit").click();
        await page.locator('#game-screen[data-ready="true"]').waitFor();
      });
    } finally {
      await server.stop();
    }
  },
});
