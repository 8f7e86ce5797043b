/**
 * The real page in Debian's Chromium (playwright-core, started as the
 * browser tests start it): one player with three tabs, each clicking the
 * big button now and then, one tab reloading now and then. Nothing is added
 * to the page: what each tab's WebSocket sends and receives is read through
 * the browser's own view of its frames, and written to a log per tab like
 * the official clients' (`soak_events.ts`).
 *
 * @module
 */

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, ensureBundle } from "../tests/e2e/browser_support.ts";
import {
  ClientMethod,
  HubMethod,
  MessageType,
  RECORD_SEPARATOR,
  type ScoreUpdate,
} from "../src/hub/wire.ts";
import { joinEvent, type SoakEvent } from "./soak_events.ts";
import { SOAK_PASSWORD } from "./soak_accounts.ts";
import { randomMs, sleep } from "./timing.ts";

/** One tab and what its WebSockets carried. */
export interface TabLog {
  readonly name: string;
  readonly username: string;
  readonly events: SoakEvent[];
  /** Clicks made with the mouse. */
  clicks: number;
  /** Reloads the soak made. */
  reloads: number;
}

/** Follows every WebSocket of `page` into `log`; `expected()` tells whether a close is the soak's. */
function follow(page: Page, log: TabLog, expected: () => boolean): void {
  page.on("websocket", (socket) => {
    if (!new URL(socket.url()).pathname.toLowerCase().startsWith("/game")) return;
    const pending = new Map<string, string>();
    let rest = "";
    let joined = false;
    socket.on("framesent", ({ payload }) => {
      if (typeof payload !== "string") return;
      for (const text of payload.split(RECORD_SEPARATOR)) {
        if (!text) continue;
        const record = JSON.parse(text);
        if (record.type === MessageType.Invocation && record.invocationId !== undefined) {
          pending.set(record.invocationId, record.target);
        }
      }
    });
    socket.on("framereceived", ({ payload }) => {
      if (typeof payload !== "string") return;
      const parts = (rest + payload).split(RECORD_SEPARATOR);
      rest = parts.pop() ?? "";
      for (const text of parts) {
        if (!text) continue;
        const record = JSON.parse(text);
        const at = Date.now();
        if (record.type === MessageType.Invocation && record.target === ClientMethod.GameInfo) {
          const info = record.arguments[0];
          joined = true;
          log.events.push(joinEvent(info, at));
        } else if (
          record.type === MessageType.Invocation && record.target === ClientMethod.EndRound
        ) {
          const end = record.arguments[0];
          log.events.push({
            kind: "end",
            at,
            roundId: end.roundId,
            winners: end.winners,
            nbClicks: end.nbClicks,
          });
        } else if (record.type === MessageType.Completion && pending.has(record.invocationId)) {
          const target = pending.get(record.invocationId);
          pending.delete(record.invocationId);
          if (target !== HubMethod.Increment) continue;
          const result = record.result as ScoreUpdate | undefined;
          if (result === undefined) {
            log.events.push({ kind: "lost", at, method: HubMethod.Increment });
          } else {
            log.events.push({
              kind: "click",
              at,
              score: result.score,
              multiplier: result.multiplier,
              counted: result.counted,
            });
          }
        }
      }
    });
    socket.on("close", () => {
      const at = Date.now();
      for (const target of pending.values()) {
        if (target === HubMethod.Increment) {
          log.events.push({ kind: "lost", at, method: HubMethod.Increment });
        }
      }
      if (joined) log.events.push({ kind: "down", at, expected: expected(), reason: "closed" });
    });
  });
}

/** Three tabs of one player in one browser; {@linkcode SoakTabs.run} plays until aborted. */
export class SoakTabs {
  readonly logs: TabLog[];
  /** Uncaught errors of the page. */
  readonly pageErrors: string[] = [];
  readonly #browser: Browser;
  readonly #pages: Page[];
  #leaving = false;
  #reloading = -1;

  private constructor(browser: Browser, pages: Page[], logs: TabLog[]) {
    this.#browser = browser;
    this.#pages = pages;
    this.logs = logs;
  }

  /** Opens three tabs of `username` (registered already) at `base`, logged in and playing. */
  static async open(base: string, username: string, tabs = 3): Promise<SoakTabs> {
    await ensureBundle();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    try {
      const context: BrowserContext = await browser.newContext();
      const logs: TabLog[] = [];
      const pages: Page[] = [];
      // deno-lint-ignore prefer-const
      let soak: SoakTabs;
      for (let i = 0; i < tabs; i++) {
        const page = await context.newPage();
        page.setDefaultTimeout(30_000);
        const log: TabLog = {
          name: `chromium-tab-${i + 1}`,
          username,
          events: [],
          clicks: 0,
          reloads: 0,
        };
        follow(page, log, () => soak.#leaving || soak.#reloading === i);
        logs.push(log);
        pages.push(page);
      }
      const errors: string[] = [];
      pages.forEach((page) => page.on("pageerror", (error) => errors.push(error.message)));
      soak = new SoakTabs(browser, pages, logs);
      await pages[0].goto(base);
      await pages[0].locator("#login-username").fill(username);
      await pages[0].locator("#login-password").fill(SOAK_PASSWORD);
      await pages[0].locator("#login-submit").click();
      await waitPlaying(pages[0]);
      // The other tabs find the login the first one stored.
      for (const page of pages.slice(1)) {
        await page.goto(base);
        await waitPlaying(page);
      }
      soak.pageErrors.push(...errors);
      return soak;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** Each tab clicks 1 to 5 times every 5 to 40 s; every 8 to 15 minutes one tab reloads. */
  async run(signal: AbortSignal): Promise<void> {
    const reloads = (async () => {
      while (!signal.aborted) {
        await sleep(randomMs(480_000, 900_000), signal);
        if (signal.aborted) break;
        const i = Math.floor(Math.random() * this.#pages.length);
        this.#reloading = i;
        try {
          await this.#pages[i].reload();
          await waitPlaying(this.#pages[i]);
          this.logs[i].reloads++;
        } catch (error) {
          this.pageErrors.push(`reload of tab ${i + 1}: ${(error as Error).message}`);
        } finally {
          this.#reloading = -1;
        }
      }
    })();
    await Promise.all(this.#pages.map(async (page, i) => {
      while (!signal.aborted) {
        await sleep(randomMs(5000, 40_000), signal);
        if (signal.aborted || this.#reloading === i) continue;
        const button = page.locator("#click-button:not([disabled])");
        try {
          const box = await button.boundingBox({ timeout: 1000 });
          if (!box) continue;
          const times = 1 + Math.floor(Math.random() * 5);
          for (let n = 0; n < times && !signal.aborted; n++) {
            await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
            this.logs[i].clicks++;
            await sleep(randomMs(150, 400), signal);
          }
        } catch {
          // Disabled (reconnecting) or reloading: a person waits and tries later.
        }
      }
    }));
    await reloads;
  }

  /** Closes the tabs (their closes are expected) and the browser. */
  async close(): Promise<void> {
    this.#leaving = true;
    for (const page of this.#pages) await page.close().catch(() => {});
    await this.#browser.close();
  }
}

async function waitPlaying(page: Page): Promise<void> {
  await page.locator('#connection[data-state="connected"]').waitFor();
  await page.locator('#game-screen[data-ready="true"]').waitFor();
}
