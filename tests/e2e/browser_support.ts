/**
 * What the browser tests share: Debian's Chromium driven by playwright-core,
 * the client bundle rebuilt once when stale, the run's screenshot folder, and
 * helpers that play the page as a person would.
 *
 * The bundle the page loads is rebuilt here, once, when it is older than the
 * code it is built from, so no other test pays for it.
 *
 * Without Chromium the browser tests can't run: they are then skipped
 * (`OPTIONS.ignore`), and `browser_test.ts` says why, or fails under CI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const ROOT = join(import.meta.dirname!, "..", "..");
/** Written last by each build: names the bundle under its hashed name. */
const BUNDLE = join(ROOT, "static", "dist", "manifest.json");
/** What the bundle is built from: the client's sources, the server code they may import, config. */
const BUNDLE_INPUTS = [
  "static/src",
  "src",
  "static/deno.json",
  "deno.json",
  "deno.lock",
  "src/build_client.ts",
].map((path) => join(ROOT, path));

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** Why Chromium can't run here, or `undefined`. */
export const CHROMIUM_MISSING = chromiumMissing();
/** Whether the tests run under CI. */
export const IN_CI = !["", "0", "false"].includes(Deno.env.get("CI")?.toLowerCase() ?? "");

/** Debian Chromium's flags for a closed network (no background calls home), headless. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The password of players registered in the page. */
export const PASSWORD = "correct horse battery";
/** Options of every browser test: skipped without Chromium. */
export const OPTIONS = {
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
export function ensureBundle(): Promise<void> {
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

/**
 * The run's screenshot folder, made and printed once per test file: one
 * folder for the whole run (test files share the process), named by its pid.
 */
export function screenshotDir(): Promise<string> {
  shots ??= (async () => {
    const dir = join(Deno.env.get("TMPDIR") ?? "/tmp", `clicker-e2e-shots-${Deno.pid}`);
    await Deno.mkdir(dir, { recursive: true });
    console.log(`Screenshots: ${dir}`);
    return dir;
  })();
  return shots;
}

/** Starts Chromium with a fresh profile and hands it to `body`, closing it afterwards. */
export async function withBrowser(body: (browser: Browser) => Promise<void>): Promise<void> {
  await ensureBundle();
  pageProblems.length = 0;
  // launch() gives every run a fresh temporary profile (user-data-dir) of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
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

export async function newPage(context: BrowserContext): Promise<Page> {
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

export async function registerInPage(page: Page, username: string): Promise<void> {
  await page.locator("#register-tab").click();
  await page.locator("#register-username").fill(username);
  await page.locator("#register-email").fill(`${username}@example.com`);
  await page.locator("#register-password").fill(PASSWORD);
  await page.locator("#register-confirm").fill(PASSWORD);
  await page.locator("#register-submit").click();
  await waitPlaying(page);
}

export async function logInInPage(
  page: Page,
  username: string,
  password = PASSWORD,
): Promise<void> {
  await page.locator("#login-username").fill(username);
  await page.locator("#login-password").fill(password);
  await page.locator("#login-submit").click();
}

/** Waits until the page is connected and has had its GameInfo. */
export async function waitPlaying(page: Page, timeout = 15_000): Promise<void> {
  await page.locator('#connection[data-state="connected"]').waitFor({ timeout });
  await page.locator('#game-screen[data-ready="true"]').waitFor({ timeout });
}

/** A `data-` attribute of the game screen (`round-ends-at`, `confirmed-score` …). */
export async function game(page: Page, name: string): Promise<string> {
  return await page.locator("#game-screen").getAttribute(`data-${name}`) ?? "";
}

/** Waits until the game screen's `data-` attribute `name` is (or, with `not`, is no longer) `value`. */
export async function waitGame(
  page: Page,
  name: string,
  value: string,
  not = false,
): Promise<void> {
  const attribute = `[data-${name}="${value}"]`;
  await page.locator(`#game-screen${not ? `:not(${attribute})` : attribute}`).waitFor();
}

/** Waits until an element's whole text is `value`. */
export async function waitText(page: Page, selector: string, value: string, timeout?: number) {
  await page.locator(selector).filter({ hasText: exactly(value) }).waitFor({ timeout });
}

export function exactly(value: string): RegExp {
  return new RegExp(`^\\s*${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
}

/** Waits until the server confirmed `score`, no click is in flight, and the page shows it. */
export async function waitScore(page: Page, score: number, timeout?: number): Promise<void> {
  await page.locator(`#game-screen[data-pending="0"][data-confirmed-score="${score}"]`)
    .waitFor({ timeout });
  await waitText(page, "#score", String(score), timeout);
}

/** Clicks the big button with the mouse, as fast as a person could (no waiting for animations). */
export async function clickTimes(page: Page, times: number): Promise<void> {
  const button = page.locator("#click-button:not([disabled])");
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  assert.ok(box, "the click button is on screen");
  for (let i = 0; i < times; i++) {
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }
}

export async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent())?.trim() ?? "";
}
