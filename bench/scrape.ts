/**
 * What Prometheus scraping costs the click path, the project against itself
 * (the baseline has no `/metrics`). One repeat is one session on a freshly
 * started server, its per-client limits raised, with rounds longer than the
 * session so that no round ends in a measured window. In it the paced flood
 * (`scrapePlayers` players, each `scrapeRate` clicks a second) runs once, its
 * window cut into phases of 2 s on the wall clock's grid, while a `scrape`
 * load beside it gets `/metrics` every second in the even phases only. Server
 * CPU per click over the even phases is the scraped figure, over the odd ones
 * the unscraped: the two alternate every 2 s, so whatever drifts (the server
 * warming up, the machine's other work) weighs on both alike. Then, on the
 * same server, the players join again and stay idle while `/metrics` is
 * scraped `scrapeBurst` times back to back: the server's CPU per scrape,
 * over the CPU a second of clicks took while not scraped, gives the ratio to
 * expect, a check on the first that a busy machine's noise hardly moves.
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

/** Phases of the wall clock's grid: scraped in even ones (two scrapes each), not in odd ones. */
const PHASE_MS = 2000;

/** Each repeat's figures: with `/metrics` scraped, and without. */
export interface ScrapeFigures {
  readonly scraped: Figures;
  readonly unscraped: Figures;
}

/** A flood's figures phase by phase (see `load_flood.ts`, `--phase-ms`). */
export interface Phases {
  /** The first phase's index on the wall clock's grid. */
  readonly firstPhase: number;
  readonly phaseClicks: readonly number[];
  readonly phaseServerSeconds: readonly number[];
}

/** What the server spent over the even or the odd phases of the grid. */
export interface PhaseCost {
  readonly cpuPerClickUs: number;
  readonly clicksPerSecond: number;
  /** The server's CPU seconds a second. */
  readonly cores: number;
}

/** Sums the even or the odd phases of `phases` (each `phaseMs` long); NaN when there are none. */
export function phaseCost(phases: Phases, parity: "even" | "odd", phaseMs: number): PhaseCost {
  let [clicks, seconds, count] = [0, 0, 0];
  phases.phaseClicks.forEach((phaseClicks, i) => {
    if (((phases.firstPhase + i) % 2 === 0) !== (parity === "even")) return;
    clicks += phaseClicks;
    seconds += phases.phaseServerSeconds[i];
    count++;
  });
  const span = count * phaseMs / 1000;
  return {
    cpuPerClickUs: clicks > 0 ? seconds / clicks * 1e6 : NaN,
    clicksPerSecond: span > 0 ? clicks / span : NaN,
    cores: span > 0 ? seconds / span : NaN,
  };
}

/** Runs one paced flood against `target`, scraped in every other phase, on a fresh server. */
export async function measureScrape(
  target: Target,
  sizes: Sizes,
  noise: Noise,
  log: (s: string) => void,
): Promise<ScrapeFigures> {
  const timeoutMs = 60_000 + sizes.scrapeMs;
  const scraped: Figures = {};
  const unscraped: Figures = {};
  await session(target, ROUND_SECONDS, "raised", async (base) => {
    log(
      `${target.name}: ${sizes.scrapePlayers} players at ${sizes.scrapeRate}/s, ` +
        `/metrics scraped every second in every other ${PHASE_MS / 1000} s`,
    );
    const run = await quietly(
      noise,
      log,
      Number(base["server-pid"]),
      async () => {
        const scraper = await startLoad({
          mode: "scrape",
          url: base.url,
          "interval-ms": SCRAPE_INTERVAL_MS,
          "phase-ms": PHASE_MS,
        }, timeoutMs);
        try {
          await scraper.ready;
          // The scraper's own CPU is reported as the helper's and left out of the noise.
          const flood = await runLoad({
            mode: "flood",
            ...base,
            players: sizes.scrapePlayers,
            rate: sizes.scrapeRate,
            "warmup-ms": 1000,
            "duration-ms": sizes.scrapeMs,
            "phase-ms": PHASE_MS,
            "helper-pid": scraper.pid,
          }, timeoutMs);
          scraper.stop();
          return { flood, scrape: await scraper.result };
        } finally {
          scraper.stop();
        }
      },
      (r) => r.flood.otherCpu,
    );
    const { flood, scrape } = run;
    for (const [parity, into] of [["even", scraped], ["odd", unscraped]] as const) {
      const cost = phaseCost(flood, parity, PHASE_MS);
      into.scrapeCpuPerClick = cost.cpuPerClickUs;
      into.scrapeClicks = cost.clicksPerSecond;
    }
    const unscrapedCores = phaseCost(flood, "odd", PHASE_MS).cores;
    // A scrape over its 1 s timeout counts as failed, as Prometheus would count it (`up` 0).
    scraped.scrapeFailed = scrape.failed;
    scraped.scrapeP99 = scrape.p99Ms;
    scraped.scrapeKiB = scrape.bytes / 1024;
    log(`${target.name}: ${sizes.scrapeBurst} scrapes back to back, ${sizes.scrapePlayers} idle`);
    const burst = await runLoad({
      mode: "scrape-burst",
      ...base,
      players: sizes.scrapePlayers,
      burst: sizes.scrapeBurst,
    }, timeoutMs);
    scraped.scrapeServerMs = burst.serverMsPerScrape;
    // One scrape a second, over the CPU a second of clicks took while not scraped.
    scraped.scrapeExpected = 1 + burst.serverMsPerScrape / 1000 * (1000 / SCRAPE_INTERVAL_MS) /
        unscrapedCores;
  });
  scraped.scrapeRatio = scraped.scrapeCpuPerClick / unscraped.scrapeCpuPerClick;
  return { scraped, unscraped };
}
