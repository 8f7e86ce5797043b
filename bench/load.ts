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

import { floodLoad } from "./load_flood.ts";
import { rttLoad } from "./load_rtt.ts";
import { fanoutLoad } from "./load_fanout.ts";
import { loginLagLoad } from "./load_login.ts";
import { observeLoad } from "./load_observe.ts";
import { hubUrl } from "./hub_client.ts";

/** Accounts made by the fixture: player i is `usernames[i]` with `tokens[i]`. */
export interface Accounts {
  readonly usernames: readonly string[];
  readonly tokens: readonly string[];
  readonly password: string;
}

/** What every mode receives: parsed flags and a way to name player i's hub URL. */
export interface LoadContext {
  readonly base: string;
  readonly accounts: Accounts | undefined;
  readonly flags: ReadonlyMap<string, string>;
  /** Hub URL for player i (a dummy token when there are no accounts). */
  urlOf(index: number): string;
  /** A numeric flag, or the fallback. */
  num(name: string, fallback: number): number;
}

function parseFlags(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (!match) throw new TypeError(`Cannot parse argument "${arg}": expected --name=value`);
    flags.set(match[1], match[2]);
  }
  return flags;
}

async function main(): Promise<void> {
  const flags = parseFlags(Deno.args);
  const limitMs = Number(flags.get("limit-ms") ?? 60_000);
  const guard = setTimeout(() => {
    console.error(`load: hard time limit of ${limitMs} ms reached, exiting`);
    Deno.exit(3);
  }, limitMs);
  const base = flags.get("url");
  if (!base) throw new TypeError("Missing --url");
  const file = flags.get("accounts");
  const accounts: Accounts | undefined = file
    ? JSON.parse(await Deno.readTextFile(file))
    : undefined;
  const context: LoadContext = {
    base,
    accounts,
    flags,
    urlOf: (i) => hubUrl(base, accounts ? accounts.tokens[i % accounts.tokens.length] : `p${i}`),
    num: (name, fallback) => {
      const raw = flags.get(name);
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isFinite(value)) throw new TypeError(`--${name} must be a number`);
      return value;
    },
  };
  const modes: Record<string, (c: LoadContext) => Promise<unknown>> = {
    flood: floodLoad,
    rtt: rttLoad,
    fanout: fanoutLoad,
    login: loginLagLoad,
    observe: observeLoad,
  };
  const mode = modes[flags.get("mode") ?? ""];
  if (!mode) throw new TypeError(`--mode must be one of ${Object.keys(modes).join(", ")}`);
  const result = await mode(context);
  clearTimeout(guard);
  console.log(JSON.stringify(result));
  // Sockets may still be closing; the result is out, so leave now.
  Deno.exit(0);
}

if (import.meta.main) await main();
