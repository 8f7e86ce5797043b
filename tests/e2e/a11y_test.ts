/**
 * Accessibility of every screen, desktop and phone: axe-core (every rule,
 * the experimental ones included) finds nothing on the login, register,
 * game and result screens, nor on the notice that another tab plays in the
 * page's place, and each screen has one `h1`. A screenshot of
 * each screen at each size goes to the run's folder.
 *
 * axe's source is evaluated in the page through the DevTools protocol, which
 * the page's Content-Security-Policy does not govern, so the page's own
 * policy stays as it is served.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";
import { postJson, uniqueName } from "../support/accounts.ts";
import { HubClient } from "../../static/src/hub_client.ts";
import {
  clickTimes,
  newPage,
  OPTIONS,
  PASSWORD,
  screenshotDir,
  waitPlaying,
  withBrowser,
} from "./browser_support.ts";

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: unknown; readonly failureSummary?: string }[];
}

/** Runs axe with every rule it has; resolves with what it found. */
async function axeViolations(page: Page): Promise<Violation[]> {
  if (!await page.evaluate("typeof window.axe === 'object'")) await page.evaluate(axe.source);
  return await page.evaluate(`(async () => {
    const rules = Object.fromEntries(axe.getRules().map((rule) => [rule.ruleId, { enabled: true }]));
    const result = await axe.run(document, { rules, resultTypes: ["violations"] });
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id, impact, help,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  })()`) as Violation[];
}

/** Checks one screen: no violation, one visible `h1`; then a screenshot. */
async function checkScreen(page: Page, name: string, width: number): Promise<void> {
  // Let entrance animations end, so colours are measured as they settle.
  await page.waitForTimeout(600);
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes)}`),
    [],
    `${name} at ${width} px`,
  );
  const headings = await page.locator("h1:visible").count();
  assert.equal(headings, 1, `${name} at ${width} px has one h1`);
  await page.screenshot({ path: join(await screenshotDir(), `${name}-${width}.png`) });
}

Deno.test({
  name:
    "browser: axe finds nothing on the login, register, game, result and paused screens, at both sizes",
  ...OPTIONS,
  async fn() {
    const server = await startTestServer({ roundSeconds: 3, hashParameters: CHEAP_HASH });
    try {
      await withBrowser(async (browser) => {
        const sizes = [
          { viewport: { width: 1280, height: 860 } },
          { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true },
        ];
        for (const size of sizes) {
          const width = size.viewport.width;
          const page = await newPage(await browser.newContext(size));
          await page.goto(server.url);
          await page.locator("#auth-screen:not([hidden])").waitFor();
          await checkScreen(page, "login", width);

          // The registration form with its rules, some broken and marked.
          await page.locator("#register-tab").click();
          const username = uniqueName("axe");
          await page.locator("#register-username").fill(username);
          await page.locator("#register-email").fill("not an email");
          await page.locator("#register-password").fill("short");
          await page.locator("#register-confirm").fill("other");
          await page.locator("#register-submit").click();
          await page.locator('#register-email[aria-invalid="true"]').waitFor();
          await checkScreen(page, "register", width);

          await page.locator("#register-email").fill(`${username}@example.com`);
          await page.locator("#register-password").fill(PASSWORD);
          await page.locator("#register-confirm").fill(PASSWORD);
          await page.locator("#register-submit").click();
          await waitPlaying(page);
          await clickTimes(page, 2);
          await checkScreen(page, "game", width);

          // After a round: the result panel.
          await page.locator("#result[data-round-id]").waitFor({ timeout: 10_000 });
          await checkScreen(page, "result", width);

          // Five connections of the player elsewhere take the page's place: it says so.
          const { body } = await postJson(server.url + "api/account/login", {
            username,
            password: PASSWORD,
          });
          const url = `${server.url.replace(/^http/, "ws")}game?access_token=${body.token}`;
          const others = Array.from({ length: 5 }, () => new HubClient(url));
          try {
            for (const other of others) await other.start();
            await page.locator("#elsewhere:not([hidden])").waitFor();
            await checkScreen(page, "elsewhere", width);
          } finally {
            for (const other of others) other.close();
          }
          await page.locator("#play-here-button").click();
          await waitPlaying(page);
          await page.close();
        }
      });
    } finally {
      await server.stop();
    }
  },
});
