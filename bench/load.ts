/**
 * Load generator entry point: one process, one scenario, one JSON line out.
 *
 * `deno run -A bench/load.ts --mode=MODE --url=http://127.0.0.1:PORT/ [--players=N]
 * [--accounts=FILE] [--duration-ms=N] ...` runs the scenario against the server
 * at `url` and prints its result as one JSON line on stdout; progress goes to
 * stderr. Every mode stops by itself: `--limit-ms` (default 60 s) ends the
 * process whatever happens.
 *
 * @module
 */

import { loadContext, parseFlags } from "./load_context.ts";
import type { LoadContext } from "./load_context.ts";
import { floodLoad } from "./load_flood.ts";
import { rttLoad } from "./load_rtt.ts";
import { fanoutLoad } from "./load_fanout.ts";
import { loginLagLoad } from "./load_login.ts";
import { observeLoad } from "./load_observe.ts";
import { siegeLoad } from "./load_siege.ts";
import { probeLoad } from "./load_probe.ts";
import { oversizeLoad } from "./load_oversize.ts";
import { hogLoad } from "./load_hog.ts";
import { takeoverLoad } from "./load_takeover.ts";
import { watchLoad } from "./load_watch.ts";
import { scrapeBurstLoad, scrapeLoad } from "./load_scrape.ts";

const MODES: Record<string, (c: LoadContext) => Promise<unknown>> = {
  flood: floodLoad,
  rtt: rttLoad,
  fanout: fanoutLoad,
  login: loginLagLoad,
  observe: observeLoad,
  siege: siegeLoad,
  probe: probeLoad,
  oversize: oversizeLoad,
  hog: hogLoad,
  takeover: takeoverLoad,
  watch: watchLoad,
  scrape: scrapeLoad,
  "scrape-burst": scrapeBurstLoad,
};

async function main(): Promise<void> {
  const flags = parseFlags(Deno.args);
  const limitMs = Number(flags.get("limit-ms") ?? 60_000);
  const guard = setTimeout(() => {
    console.error(`load: hard time limit of ${limitMs} ms reached, exiting`);
    Deno.exit(3);
  }, limitMs);
  const mode = MODES[flags.get("mode") ?? ""];
  if (!mode) throw new TypeError(`--mode must be one of ${Object.keys(MODES).join(", ")}`);
  const result = await mode(await loadContext(flags));
  clearTimeout(guard);
  console.log(JSON.stringify(result));
  // Sockets may still be closing; the result is out, so leave now.
  Deno.exit(0);
}

if (import.meta.main) await main();
