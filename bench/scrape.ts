/**
 * What Prometheus scraping costs the click path, the project against itself
 * (the baseline has no `/metrics`). One repeat is one session on a freshly
 * started server, its per-client limits raised, with rounds longer than the
 * session so that no round ends in a measured window. In it the paced flood
 * (`scrapePlayers` players, each `scrapeRate` clicks a second) runs twice:
 * once with a `scrape` load beside it getting `/metrics` every second, once
 * without. Which comes first alternates between repeats, so that whatever
 * drifts over a session (the server warming up, the machine's other work)
 * weighs on both alike.
 *
 * @module
 */

import { runLoad, startLoad } from "./processes.ts";
import type { Sizes } from "./scenarios.ts";
import { type Figures, type Noise, quietly, session, type Target } from "./session.ts";

/** Longer than any session: no round ends, so the windows hold clicks (and scrapes) only. */
const ROUND_SECONDS = 3600;

/** Every second: five times as often as the 5 s that `docs/operations.md` suggests. */
const SCRAPE_INTERVAL_MS = 1000;

/** Each repeat's figures: with `/metrics` scraped, and without. */
export interface ScrapeFigures {
  readonly scraped: Figures;
  readonly unscraped: Figures;
}

/** Options of {@linkcode measureScrape}. */
export interface ScrapeOptions {
  /** Run the scraped window first (default false); alternate it between repeats. */
  readonly scrapedFirst?: boolean;
}

/** Runs the scraped and the unscraped window once each against `target`, on one server. */
export async function measureScrape(
  target: Target,
  sizes: Sizes,
  noise: Noise,
  log: (s: string) => void,
  options: ScrapeOptions = {},
): Promise<ScrapeFigures> {
  const order = options.scrapedFirst ? [true, false] : [false, true];
  const figures: { scraped: Figures; unscraped: Figures } = { scraped: {}, unscraped: {} };
  const timeoutMs = 60_000 + sizes.scrapeMs;
  await session(target, ROUND_SECONDS, "raised", async (base) => {
    const flood = {
      mode: "flood",
      ...base,
      players: sizes.scrapePlayers,
      rate: sizes.scrapeRate,
      "warmup-ms": 1000,
      "duration-ms": sizes.scrapeMs,
    };
    for (const scraped of order) {
      log(
        `${target.name}: ${sizes.scrapePlayers} players at ${sizes.scrapeRate}/s, ` +
          (scraped ? "/metrics scraped every second" : "not scraped"),
      );
      const run = await quietly(
        noise,
        log,
        Number(base["server-pid"]),
        async () => {
          if (!scraped) return { flood: await runLoad(flood, timeoutMs), scrape: undefined };
          const scraper = await startLoad({
            mode: "scrape",
            url: base.url,
            "interval-ms": SCRAPE_INTERVAL_MS,
          }, timeoutMs);
          try {
            await scraper.ready;
            // The scraper's own CPU is reported as the helper's and left out of the noise.
            const clicks = await runLoad({ ...flood, "helper-pid": scraper.pid }, timeoutMs);
            scraper.stop();
            return { flood: clicks, scrape: await scraper.result };
          } finally {
            scraper.stop();
          }
        },
        (r) => r.flood.otherCpu,
      );
      const into = scraped ? figures.scraped : figures.unscraped;
      into.scrapeCpuPerClick = run.flood.serverCpu / run.flood.clicksPerSecond * 1e6;
      into.scrapeClicks = run.flood.clicksPerSecond;
      if (run.scrape !== undefined) {
        if (run.scrape.failed > 0) {
          throw new Error(`${run.scrape.failed} scrapes of /metrics failed`);
        }
        into.scrapeP99 = run.scrape.p99Ms;
        into.scrapeKiB = run.scrape.bytes / 1024;
      }
    }
  });
  figures.scraped.scrapeRatio = figures.scraped.scrapeCpuPerClick /
    figures.unscraped.scrapeCpuPerClick;
  return figures;
}
