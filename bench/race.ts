/**
 * `deno run -A bench/race.ts`: what the live race costs the project's server
 * (one process on SQLite), the project against itself:
 *
 * - server CPU per counted click while 100 players flood, with 5,000 other
 *   players watching the race (`WatchRace`, each sent `Race` up to 4 times a
 *   second) against none watching, and from the two the server CPU per `Race`;
 *   again, on a fresh server, with watchers who each clicked once first, so
 *   that each has its own place and its own `you`;
 * - `EndRound` fan-out to 5,000 idle players when 10 players scored in every
 *   round (`standings` of 10) against rounds nobody scored in (`standings: []`).
 *
 * Flags: `--repeats=N` (default 3), `--quick` (1 repeat, 1,000 watchers and
 * players). Prints a markdown table (also written to `bench/results/race.md`).
 * Run by hand on a quiet machine, never in CI: it takes both cores for
 * about two minutes.
 *
 * @module
 */

import { join } from "node:path";
import { killAll, ROOT, runLoad, startLoad } from "./processes.ts";
import { type Base, session } from "./session.ts";
import { median } from "./stats.ts";
import { projectTarget, randomSecret } from "./targets.ts";

const HARD_LIMIT_MS = 8 * 60_000;

interface Sizes {
  readonly watchers: number;
  readonly fanout: number;
  readonly floodMs: number;
  readonly rounds: number;
}

const FULL: Sizes = { watchers: 5000, fanout: 5000, floodMs: 3000, rounds: 5 };
const QUICK: Sizes = { watchers: 1000, fanout: 1000, floodMs: 1500, rounds: 3 };

/** Players flooding, and those scoring every round in the fan-out. */
const FLOODERS = 100;
const SCORERS = 10;

type Figures = Record<string, number>;

/**
 * Server CPU per counted click (µs) of a flood, with `watchers` watching
 * beside it; each of them clicks `clicks` times first (its own place in the race).
 */
async function cpuPerClick(
  base: Base,
  sizes: Sizes,
  watchers: number,
  clicks = 0,
): Promise<Figures> {
  const watch = watchers === 0 ? undefined : await startLoad({
    mode: "watch",
    ...base,
    players: watchers,
    "first-player": FLOODERS,
    clicks,
  }, 120_000);
  try {
    await watch?.ready;
    const flood = await runLoad({
      mode: "flood",
      ...base,
      players: FLOODERS,
      "duration-ms": sizes.floodMs,
    }, 60_000);
    watch?.stop();
    const watched = await watch?.result;
    return {
      cpuPerClickUs: flood.serverCpu / flood.clicksPerSecond * 1e6,
      clicksPerSecond: flood.clicksPerSecond,
      racesPerSecond: watched?.racesPerSecond ?? 0,
    };
  } finally {
    watch?.stop();
  }
}

/** `EndRound` fan-out to `sizes.fanout` idle players, with `scorers` scoring every round. */
async function fanout(base: Base, sizes: Sizes, scorers: number): Promise<Figures> {
  const fan = await runLoad({
    mode: "fanout",
    ...base,
    sizes: String(sizes.fanout),
    rounds: sizes.rounds,
    scorers,
  }, 120_000);
  const [step] = fan.steps;
  if (step.missing > 0) throw new Error(`${step.missing} EndRound receipts missing`);
  return { lastMs: step.lastMs, p50Ms: step.p50Ms, p99Ms: step.p99Ms };
}

/**
 * Server CPU per `Race` received (µs): what the flood with watchers cost
 * beyond its clicks at the CPU per click without them, over the Races. An
 * upper bound: fewer clicks a second also cost more each (fewer per read).
 */
function raceCpuUs(watched: Figures, alone: Figures): number {
  const extra = (watched.cpuPerClickUs - alone.cpuPerClickUs) * watched.clicksPerSecond;
  return extra / watched.racesPerSecond;
}

function flagsOf(args: readonly string[]): Map<string, string> {
  return new Map(args.map((arg) => {
    const [name, ...rest] = arg.replace(/^--/, "").split("=");
    return [name, rest.join("=") || "true"] as const;
  }));
}

function cell(values: readonly number[], unit: string): string {
  if (values.length === 0) return "—";
  const digits = (v: number) => v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  const mid = `${digits(median(values))} ${unit}`.trim();
  return values.length === 1
    ? mid
    : `${mid} (${digits(Math.min(...values))}–${digits(Math.max(...values))})`;
}

async function main(): Promise<void> {
  const flags = flagsOf(Deno.args);
  const quick = flags.has("quick");
  const sizes = quick ? QUICK : FULL;
  const repeats = Number(flags.get("repeats") ?? (quick ? 1 : 3));
  const guard = setTimeout(() => {
    console.error("bench/race: time limit reached; stopping");
    killAll();
    Deno.exit(3);
  }, HARD_LIMIT_MS);
  const tmp = await Deno.makeTempDir({ prefix: "clicker-race-bench-" });
  const runs: {
    with: Figures;
    scored: Figures;
    without: Figures;
    fanWith: Figures;
    fanWithout: Figures;
  }[] = [];
  const failed: string[] = [];
  /** Runs one part; one that fails leaves its figures out and is named under the table. */
  const part = async (name: string, body: () => Promise<void>) => {
    console.error(`  ${name}`);
    try {
      await body();
    } catch (error) {
      failed.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
    }
  };
  try {
    const players = FLOODERS + Math.max(sizes.watchers, sizes.fanout) + SCORERS;
    const target = await projectTarget(tmp, randomSecret(), players);
    for (let r = 0; r < repeats; r++) {
      console.error(`repeat ${r + 1} of ${repeats}`);
      const none = { cpuPerClickUs: NaN, clicksPerSecond: NaN, racesPerSecond: NaN };
      const noFan = { lastMs: NaN, p50Ms: NaN, p99Ms: NaN };
      const run: (typeof runs)[number] = {
        with: none,
        scored: none,
        without: none,
        fanWith: noFan,
        fanWithout: noFan,
      };
      await part(
        `flood, nobody then ${sizes.watchers} watching`,
        () =>
          session(target, 30, "raised", async (base) => {
            run.without = await cpuPerClick(base, sizes, 0);
            run.with = await cpuPerClick(base, sizes, sizes.watchers);
          }),
      );
      await part(
        `flood, ${sizes.watchers} watching who each scored`,
        () =>
          session(target, 30, "raised", async (base) => {
            run.scored = await cpuPerClick(base, sizes, sizes.watchers, 1);
          }),
      );
      await part(
        `fan-out to ${sizes.fanout}, nobody scoring`,
        () =>
          session(target, 0.5, "raised", async (base) => {
            run.fanWithout = await fanout(base, sizes, 0);
          }),
      );
      await part(
        `fan-out to ${sizes.fanout}, ${SCORERS} scoring`,
        () =>
          session(target, 0.5, "raised", async (base) => {
            run.fanWith = await fanout(base, sizes, SCORERS);
          }),
      );
      runs.push(run);
    }
  } finally {
    clearTimeout(guard);
    killAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  const col = (pick: (run: (typeof runs)[number]) => number) =>
    runs.map(pick).filter((v) => !Number.isNaN(v));
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2) + "×";
  const rows: [string, number[], number[], string][] = [
    [
      `Server CPU per counted click, ${FLOODERS}-player flood`,
      col((r) => r.with.cpuPerClickUs),
      col((r) => r.without.cpuPerClickUs),
      "µs",
    ],
    [
      "… clicks counted/s",
      col((r) => r.with.clicksPerSecond),
      col((r) => r.without.clicksPerSecond),
      "",
    ],
    [
      "… Race messages received/s by the watchers",
      col((r) => r.with.racesPerSecond),
      col((r) => r.without.racesPerSecond),
      "",
    ],
    [
      "… server CPU per Race: the CPU beyond the clicks' own, over the Races",
      col((r) => raceCpuUs(r.with, r.without)),
      [],
      "µs",
    ],
    [
      `Server CPU per counted click, ${sizes.watchers} watching who each scored (own \`you\`)`,
      col((r) => r.scored.cpuPerClickUs),
      col((r) => r.without.cpuPerClickUs),
      "µs",
    ],
    [
      "… clicks counted/s",
      col((r) => r.scored.clicksPerSecond),
      col((r) => r.without.clicksPerSecond),
      "",
    ],
    [
      "… Race messages received/s by the watchers",
      col((r) => r.scored.racesPerSecond),
      [],
      "",
    ],
    [
      "… server CPU per Race",
      col((r) => raceCpuUs(r.scored, r.without)),
      [],
      "µs",
    ],
    [
      `EndRound fan-out to ${sizes.fanout}: deadline → last receipt`,
      col((r) => r.fanWith.lastMs),
      col((r) => r.fanWithout.lastMs),
      "ms",
    ],
    [
      `EndRound fan-out to ${sizes.fanout}: receipt p50`,
      col((r) => r.fanWith.p50Ms),
      col((r) => r.fanWithout.p50Ms),
      "ms",
    ],
    [
      `EndRound fan-out to ${sizes.fanout}: receipt p99`,
      col((r) => r.fanWith.p99Ms),
      col((r) => r.fanWithout.p99Ms),
      "ms",
    ],
  ];
  const lines = [
    `Race cost, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ` +
    `${runs.length} repeat(s)${quick ? ", quick sizes" : ""}`,
    "",
    `First column: ${sizes.watchers} players watching the race (CPU rows; who each scored, or not), ` +
    `or ${SCORERS} players ` +
    "scoring every round so `EndRound.standings` lists 10 (fan-out rows). Second: nobody watching, " +
    "or nobody scoring (`standings: []`).",
    "",
    "| figure | with | without | ratio |",
    "| --- | --: | --: | --: |",
    ...rows.map(([name, a, b, unit]) =>
      `| ${name} | ${cell(a, unit)} | ${cell(b, unit)} | ${
        a.length === 0 || b.length === 0 || median(b) === 0 ? "—" : ratio(a, b)
      } |`
    ),
  ];
  if (failed.length > 0) lines.push("", "Left out:", ...failed.map((f) => `- ${f}`));
  const report = lines.join("\n") + "\n";
  console.log(report);
  await Deno.mkdir(join(ROOT, "bench/results"), { recursive: true });
  await Deno.writeTextFile(join(ROOT, "bench/results/race.md"), report);
}

if (import.meta.main) await main();
