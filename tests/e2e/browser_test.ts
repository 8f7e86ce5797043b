/**
 * End-to-end tests of the web client in headless Chromium (Debian's, never a
 * downloaded one), driven by playwright-core against the real server with
 * short rounds. One screenshot of the game page is kept per run, in a
 * temporary folder whose path the run prints.
 *
 * The bundle the page loads is rebuilt here, once, when it is older than the
 * code it is built from, so no other test pays for it.
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
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { registerAndLogin, uniqueName } from "../support/accounts.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { CHEAP_HASH, startTestServer } from "../support/test_server.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const BUNDLE = join(ROOT, "static", "dist", "app.js");
/** What the bundle is built from: the client's sources, the server code they may import, config. */
const BUNDLE_INPUTS = ["static/src", "src", "static/deno.json", "deno.json", "deno.lock"]
  .map((path) => join(ROOT, path));

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_MISSING = chromiumMissing();
const IN_CI = !["", "0", "false"].includes(Deno.env.get("CI")?.toLowerCase() ?? "");
if (CHROMIUM_MISSING && !IN_CI) console.warn(`Skipping the browser tests: ${CHROMIUM_MISSING}`);

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const PASSWORD = "correct horse battery";
const OPTIONS = {
  sanitizeResources: false,
  sanitizeOps: false,
  ignore: CHROMIUM_MISSING !== undefined,
} as const;

let bundled: Promise<void> | undefined;
let shots: Promise<string> | undefined;

/** Why Chromium can't be started, in one line; `undefined` when it is installed. */
function chromiumMissing(): string | undefined {
  try {
    if (Deno.statSync(CHROMIUM).isFile) return undefined;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return `no Chromium at ${CHROMIUM}; install it with \`sudo apt-get install chromium\``;
}

// Fails under CI where Chromium is missing (the browser tests are then skipped):
// one failure that says what to do, rather than four launch errors.
Deno.test({
  name: `browser: Chromium is installed at ${CHROMIUM}`,
  ignore: CHROMIUM_MISSING !== undefined && !IN_CI,
  fn() {
    if (CHROMIUM_MISSING) throw new Error(CHROMIUM_MISSING);
  },
});

/**
 * The newest modification time of `path` or of anything under it (a folder's
 * own time changes when a file is added, removed or renamed); 0 when missing.
 */
async function newestMtime(path: string): Promise<number> {
  const stat = await Deno.stat(path).catch(() => undefined);
  let newest = stat?.mtime?.getTime() ?? 0;
  if (!stat?.isDirectory) return newest;
  for await (const entry of Deno.readDir(path)) {
    newest = Math.max(newest, await newestMtime(join(path, entry.name)));
  }
  return newest;
}

/**
 * Builds the client like `deno task build:client` when the bundle is missing
 * or older than anything it may be built from (the client imports server
 * modules too, so all of `src/` counts: a needless rebuild costs under a second).
 */
function ensureBundle(): Promise<void> {
  bundled ??= (async () => {
    const built = await newestMtime(BUNDLE);
    const newest = Math.max(...await Promise.all(BUNDLE_INPUTS.map(newestMtime)));
    if (built >= newest) return;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "build:client"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`build:client failed: ${new TextDecoder().decode(stderr)}`);
  })();
  return bundled;
}

/** The run's screenshot folder, made and printed once. */
function screenshotDir(): Promise<string> {
  shots ??= Deno.makeTempDir({ prefix: "clicker-e2e-shots-" }).then((dir) => {
    console.log(`Screenshots: ${dir}`);
    return dir;
  });
  return shots;
}

/** Starts Chromium with a fresh profile and hands it to `body`, closing it afterwards. */
async function withBrowser(body: (browser: Browser) => Promise<void>): Promise<void> {
  await ensureBundle();
  pageProblems.length = 0;
  // launch() gives every run a fresh temporary profile (user-data-dir) of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    await body(browser);
    assert.deepEqual(pageProblems, [], "the pages ran without errors or CSP violations");
  } finally {
    await browser.close();
  }
}

/** Uncaught page errors and Content-Security-Policy violations seen by the current test. */
const pageProblems: string[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => pageProblems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) {
      pageProblems.push(`CSP violation: ${message.text()}`);
    }
  });
  return page;
}

async function registerInPage(page: Page, username: string): Promise<void> {
  await page.locator("#register-tab").click();
  await page.locator("#register-username").fill(username);
  await page.locator("#register-email").fill(`${username}@example.com`);
  await page.locator("#register-password").fill(PASSWORD);
  await page.locator("#register-confirm").fill(PASSWORD);
  await page.locator("#register-submit").click();
  await waitPlaying(page);
}

async function logInInPage(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.locator("#login-username").fill(username);
  await page.locator("#login-password").fill(password);
  await page.locator("#login-submit").click();
}

/** Waits until the page is connected and has had its GameInfo. */
async function waitPlaying(page: Page, timeout = 15_000): Promise<void> {
  await page.locator('#connection[data-state="connected"]').waitFor({ timeout });
  await page.locator('#game-screen[data-ready="true"]').waitFor({ timeout });
}

/** A `data-` attribute of the game screen (`round-ends-at`, `confirmed-score` …). */
async function game(page: Page, name: string): Promise<string> {
  return await page.locator("#game-screen").getAttribute(`data-${name}`) ?? "";
}

/** Waits until the game screen's `data-` attribute `name` is (or, with `not`, is no longer) `value`. */
async function waitGame(page: Page, name: string, value: string, not = false): Promise<void> {
  const attribute = `[data-${name}="${value}"]`;
  await page.locator(`#game-screen${not ? `:not(${attribute})` : attribute}`).waitFor();
}

/** Waits until an element's whole text is `value`. */
async function waitText(page: Page, selector: string, value: string, timeout?: number) {
  await page.locator(selector).filter({ hasText: exactly(value) }).waitFor({ timeout });
}

function exactly(value: string): RegExp {
  return new RegExp(`^\\s*${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
}

/** Waits until the server confirmed `score`, no click is in flight, and the page shows it. */
async function waitScore(page: Page, score: number, timeout?: number): Promise<void> {
  await page.locator(`#game-screen[data-pending="0"][data-confirmed-score="${score}"]`)
    .waitFor({ timeout });
  await waitText(page, "#score", String(score), timeout);
}

/** Clicks the big button with the mouse, as fast as a person could (no waiting for animations). */
async function clickTimes(page: Page, times: number): Promise<void> {
  const button = page.locator("#click-button:not([disabled])");
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  assert.ok(box, "the click button is on screen");
  for (let i = 0; i < times; i++) {
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent())?.trim() ?? "";
}

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
          assert.match(await text(pageA, "#result-detail"), /\b8 clicks\b/);
          assert.equal(await pageB.locator("#result").getAttribute("data-outcome"), "lost");
          assert.equal(await text(pageB, "#result-headline"), `${ann} wins`);
          assert.match(await text(pageB, "#result-detail"), /\b8 clicks\b/);
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
        await pageA.screenshot({ path: join(await screenshotDir(), "game.png") });
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
        await clickTimes(page, 14);
        await page.locator("#notice:not([hidden])").filter({ hasText: /10 clicks a second/ })
          .waitFor();
        await page.locator("#notice").waitFor({ state: "hidden" });

        // A token the server refuses, as after a restart with a new secret.
        await page.evaluate(`{
          const session = JSON.parse(sessionStorage.getItem("clicker.session"));
          sessionStorage.setItem("clicker.session", JSON.stringify({ ...session, token: "not.a.token" }));
        }`);
        await page.reload();
        await page.locator("#auth-screen:not([hidden])").waitFor();
        assert.match(await text(page, "#login-message"), /session has expired/i);
        assert.equal(await page.evaluate(`sessionStorage.getItem("clicker.session")`), null);

        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        await page.locator("#logout-button").click();
        await page.locator("#auth-screen:not([hidden])").waitFor();
        assert.match(await text(page, "#login-message"), /logged out/i);
        assert.equal(await page.evaluate(`sessionStorage.getItem("clicker.session")`), null);
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
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "browser: a token that expires during play brings back the login form with a message",
  ...OPTIONS,
  async fn() {
    // Tokens live three seconds; the server closes the hub with "Token expired".
    const server = await startTestServer({
      env: { TOKEN_TTL_MINUTES: "0.05" },
      hashParameters: CHEAP_HASH,
    });
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(await browser.newContext());
        const player = await registerAndLogin(server.url);
        await page.goto(server.url);
        await logInInPage(page, player.username, player.password);
        await waitPlaying(page);
        await page.locator("#auth-screen:not([hidden])").waitFor({ timeout: 10_000 });
        assert.match(await text(page, "#login-message"), /session has expired/i);
        assert.equal(await page.locator("#game-screen").isHidden(), true);
      });
    } finally {
      await server.stop();
    }
  },
});
