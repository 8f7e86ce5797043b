/**
 * What every load mode receives: the parsed flags, the accounts file and a way
 * to name player i's hub URL. Kept apart from `load.ts` so that the modes
 * import this and `load.ts` imports the modes, never the other way round.
 *
 * @module
 */

import { hubUrl } from "./hub_client.ts";

/** Accounts made by the fixture: player i is `usernames[i]` with `tokens[i]`. */
export interface Accounts {
  readonly usernames: readonly string[];
  readonly tokens: readonly string[];
  readonly password: string;
}

/** What every mode receives: parsed flags and a way to name player i's hub URL. */
export interface LoadContext {
  /** The first server's URL. */
  readonly base: string;
  /** Every server's URL: `--url` may list several, comma-separated. */
  readonly bases: readonly string[];
  readonly accounts: Accounts | undefined;
  readonly flags: ReadonlyMap<string, string>;
  /** Hub URL for player i, on the servers in turn (a dummy token when there are no accounts). */
  urlOf(index: number): string;
  /** A numeric flag, or the fallback. */
  num(name: string, fallback: number): number;
  /** A flag listing numbers, comma-separated (such as process ids); empty when absent. */
  nums(name: string): number[];
  /** Tells the bench that the mode is ready for what it runs beside it (see `startLoad`). */
  ready(): void;
  /** Resolves when the bench asks a mode that runs until stopped to finish (SIGTERM). */
  readonly stopped: Promise<void>;
}

/** Parses `--name=value` arguments; throws on anything else. */
export function parseFlags(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (!match) throw new TypeError(`Cannot parse argument "${arg}": expected --name=value`);
    flags.set(match[1], match[2]);
  }
  return flags;
}

/**
 * Builds the context from flags: `--url` is required (one server, or several
 * comma-separated), `--accounts` names the fixture's file.
 */
export async function loadContext(flags: ReadonlyMap<string, string>): Promise<LoadContext> {
  const bases = (flags.get("url") ?? "").split(",").filter(Boolean);
  if (bases.length === 0) throw new TypeError("Missing --url");
  const file = flags.get("accounts");
  const accounts: Accounts | undefined = file
    ? JSON.parse(await Deno.readTextFile(file))
    : undefined;
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGTERM", stop);
  const token = (i: number) => accounts ? accounts.tokens[i % accounts.tokens.length] : `p${i}`;
  return {
    base: bases[0],
    bases,
    accounts,
    flags,
    urlOf: (i) => hubUrl(bases[i % bases.length], token(i)),
    num: (name, fallback) => {
      const raw = flags.get(name);
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isFinite(value)) throw new TypeError(`--${name} must be a number`);
      return value;
    },
    nums: (name) => {
      const values = (flags.get(name) ?? "").split(",").filter(Boolean).map(Number);
      if (!values.every(Number.isFinite)) throw new TypeError(`--${name} must list numbers`);
      return values;
    },
    ready: () => console.log(JSON.stringify({ ready: true })),
    stopped,
  };
}
