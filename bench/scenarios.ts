/**
 * The speed scenarios and the figures they yield, for one server in one
 * repeat, and the sizes of every scenario (the hostile ones are in
 * `attacks.ts`, the clustered ones in `cluster.ts`). The project runs them
 * with its per-client limits raised.
 *
 * Each target runs four sessions, each on a freshly started server (and, for
 * the project, a fresh copy of the prepared database):
 * - clicks (30 s rounds): invoke round-trip, login lag, click floods;
 * - paced (rounds of an hour, so none ends in the window): the server's CPU
 *   per click while 1,000 players each click 20 times a second;
 * - lateness (0.5 s rounds): `EndRound` lateness seen by idle observers while
 *   100 players flood, paced and then saturating;
 * - fan-out (0.5 s rounds): memory per idle player and `EndRound` fan-out,
 *   run on its own ({@linkcode measureFanout}) so that `run.ts` can measure
 *   both servers one right after the other.
 *
 * @module
 */

import { runLoad } from "./processes.ts";
import { type Base, type Figures, type Noise, quietly, session, type Target } from "./session.ts";

/** Rounds of the paced session: longer than it lasts, so no round ends in it. */
const PACED_ROUND_SECONDS = 3600;

/** How big and how long; `--quick` shrinks them. */
export interface Sizes {
  readonly floodPlayers: readonly number[];
  readonly floodMs: number;
  /** Paced load: players clicking `pacedRate` times a second each, measured for `pacedMs`. */
  readonly pacedPlayers: number;
  readonly pacedRate: number;
  readonly pacedMs: number;
  readonly rttPlayers: number;
  readonly rttMs: number;
  readonly fanout: readonly number[];
  /** Rounds timed at each fan-out size, after `fanoutWarmup` rounds let go by. */
  readonly fanoutRounds: number;
  readonly fanoutWarmup: number;
  readonly latenessPlayers: number;
  /** Clicks a second per player in the paced flood. */
  readonly latenessRate: number;
  readonly latenessMs: number;
  readonly logins: number;
  /** Siege: idle and slow connections, split evenly across `siegeProcesses`. */
  readonly siegeIdle: number;
  readonly siegeTrickle: number;
  readonly siegeProcesses: number;
  /** How long players and health checks are measured during the siege. */
  readonly siegeMs: number;
  /** Sockets sending messages that never end, and how long each of the two phases lasts. */
  readonly oversizeSockets: number;
  readonly oversizePhaseMs: number;
  /** Sockets of the one flooding account, and how long its victims are measured. */
  readonly hogSockets: number;
  readonly fairnessMs: number;
  /**
   * Clustered part: how long the flood for CPU per click is measured (longer
   * than `floodMs`: Redis uses a few hundredths of a core, counted in 10 ms ticks).
   */
  readonly clusterFloodMs: number;
  /** Servers sharing Redis and PostgreSQL, for fan-out and takeover. */
  readonly clusterServers: number;
  /** Sockets spread over those servers, and the rounds their `EndRound`s are timed over. */
  readonly clusterSockets: number;
  readonly clusterRounds: number;
  /** Scrape cost (`scrape.ts`): players clicking `scrapeRate` times a second each, for how long. */
  readonly scrapePlayers: number;
  readonly scrapeRate: number;
  readonly scrapeMs: number;
  /** Scrapes back to back, players idle, for the server's CPU per scrape. */
  readonly scrapeBurst: number;
}

/** The full run. */
export const FULL: Sizes = {
  floodPlayers: [1, 10, 100],
  floodMs: 1500,
  pacedPlayers: 1000,
  pacedRate: 20,
  pacedMs: 5000,
  rttPlayers: 10,
  rttMs: 1000,
  fanout: [1000, 5000],
  fanoutRounds: 10,
  fanoutWarmup: 6,
  latenessPlayers: 100,
  latenessRate: 100,
  latenessMs: 2500,
  logins: 20,
  // As many idle connections as this machine's file limit: more than either server can hold.
  siegeIdle: 20_000,
  siegeTrickle: 1000,
  siegeProcesses: 2,
  siegeMs: 2000,
  oversizeSockets: 100,
  oversizePhaseMs: 2500,
  hogSockets: 5,
  fairnessMs: 2500,
  clusterFloodMs: 4000,
  clusterServers: 3,
  clusterSockets: 1000,
  clusterRounds: 20,
  scrapePlayers: 1000,
  scrapeRate: 20,
  scrapeMs: 20_000,
  scrapeBurst: 100,
};

/** One repeat with smaller sizes, for working on the bench itself. */
export const QUICK: Sizes = {
  ...FULL,
  floodMs: 1000,
  pacedMs: 3000,
  rttMs: 700,
  fanout: [200, 1000],
  fanoutRounds: 3,
  fanoutWarmup: 1,
  latenessMs: 1500,
  siegeIdle: 2000,
  siegeTrickle: 200,
  siegeMs: 1500,
  oversizePhaseMs: 1500,
  fairnessMs: 1500,
  clusterFloodMs: 2000,
  clusterRounds: 6,
  scrapeMs: 8000,
};

/** Runs every scenario against `target` once and returns its figures. */
export async function measure(
  target: Target,
  sizes: Sizes,
  noise: Noise,
  log: (s: string) => void,
): Promise<Figures> {
  // deno-lint-ignore no-explicit-any
  const run = (flags: Base, timeoutMs = 30_000): Promise<any> =>
    quietly(
      noise,
      log,
      Number(flags["server-pid"]),
      () => runLoad(flags, timeoutMs),
      (r) => r.otherCpu,
    );
  const figures: Figures = {};

  await session(target, 30, "raised", async (base) => {
    log(`${target.name}: invoke round-trip`);
    const rtt = await run({
      mode: "rtt",
      ...base,
      players: sizes.rttPlayers,
      "duration-ms": sizes.rttMs,
    });
    figures.rttP50 = rtt.p50Ms;
    figures.rttP99 = rtt.p99Ms;
    log(`${target.name}: login lag`);
    const login = await run({ mode: "login", ...base, logins: sizes.logins });
    if (login.loginsOk !== sizes.logins) throw new Error(`only ${login.loginsOk} logins succeeded`);
    figures.loginIdleP99 = login.idleP99Ms;
    figures.loginLagP99 = login.busyP99Ms;
    figures.loginWall = login.loginsWallMs;
    for (const players of sizes.floodPlayers) {
      log(`${target.name}: flood with ${players}`);
      const flood = await run({ mode: "flood", ...base, players, "duration-ms": sizes.floodMs });
      figures[`flood${players}`] = flood.clicksPerSecond;
      figures[`floodCpu${players}`] = flood.serverCpu;
      figures[`floodCpuPerClick${players}`] = flood.serverCpuPerClickUs;
    }
  });

  // Rounds of an hour: no `EndRound` (and, for the project, no database write) in the window.
  await session(target, PACED_ROUND_SECONDS, "raised", async (base) => {
    log(`${target.name}: ${sizes.pacedPlayers} players at ${sizes.pacedRate}/s each`);
    const paced = await run({
      mode: "flood",
      ...base,
      players: sizes.pacedPlayers,
      rate: sizes.pacedRate,
      "warmup-ms": 1000,
      "duration-ms": sizes.pacedMs,
    });
    figures.pacedCpuPerClick = paced.serverCpuPerClickUs;
    figures.pacedClicks = paced.clicksPerSecond;
  });

  await session(target, 0.5, "raised", async (base) => {
    for (
      const [id, rate] of [["latenessP99", sizes.latenessRate], ["latenessSatP99", 0]] as const
    ) {
      log(
        `${target.name}: EndRound lateness under flood (${rate ? `${rate}/s each` : "flat out"})`,
      );
      figures[id] = await latenessP99({ noise, log, base, sizes, rate });
    }
  });
  return figures;
}

/** Options of {@linkcode latenessP99}. */
export interface LatenessOptions {
  readonly noise: Noise;
  readonly log: (s: string) => void;
  /** The session's flags (server URL, accounts). */
  readonly base: Base;
  readonly sizes: Sizes;
  /** Clicks a second per player; 0: flat out. */
  readonly rate: number;
  /** The server whose core is watched for noise (default `base`'s). */
  readonly pid?: number;
  /** More flags of the flood: the bench's other processes and a helper to measure. */
  readonly floodFlags?: Base;
}

/**
 * `EndRound` lateness p99, in ms, as 10 idle observers see it while the
 * lateness players click at `rate` each: the observers run in a process of
 * their own, so receipts don't queue behind the flood's answers.
 */
export async function latenessP99(options: LatenessOptions): Promise<number> {
  const { noise, log, base, sizes, rate } = options;
  const floodFlags = {
    mode: "flood",
    ...base,
    ...options.floodFlags,
    players: sizes.latenessPlayers,
    rate,
    "duration-ms": sizes.latenessMs + 700,
  };
  const observeFlags = {
    mode: "observe",
    ...base,
    players: 10,
    "first-player": sizes.latenessPlayers,
    "delay-ms": 700,
    "duration-ms": sizes.latenessMs,
  };
  const [, seen] = await quietly(
    noise,
    log,
    options.pid ?? Number(base["server-pid"]),
    () => Promise.all([runLoad(floodFlags, 30_000), runLoad(observeFlags, 30_000)]),
    ([flood]) => flood.otherCpu,
  );
  return seen.p99Ms;
}

/**
 * Runs the fan-out session against `target` once: memory per idle player,
 * and at each size `EndRound`'s deadline → last receipt, receipt p50/p99 and
 * the server's CPU time a round.
 */
export async function measureFanout(
  target: Target,
  sizes: Sizes,
  noise: Noise,
  log: (s: string) => void,
): Promise<Figures> {
  const figures: Figures = {};
  await session(target, 0.5, "raised", async (base) => {
    log(`${target.name}: fan-out to ${sizes.fanout.join(", ")}`);
    const flags = {
      mode: "fanout",
      ...base,
      sizes: sizes.fanout.join(","),
      rounds: sizes.fanoutRounds,
      warmup: sizes.fanoutWarmup,
    };
    const fan = await quietly(
      noise,
      log,
      Number(base["server-pid"]),
      () => runLoad(flags, 120_000),
      (r) => Math.max(...r.steps.map((step: { otherCpu: number }) => step.otherCpu)),
    );
    for (const step of fan.steps) {
      if (step.missing > 0) {
        throw new Error(`${step.missing} EndRound receipts missing at ${step.players}`);
      }
      figures[`fanLast${step.players}`] = step.lastMs;
      figures[`fanP50_${step.players}`] = step.p50Ms;
      figures[`fanP99_${step.players}`] = step.p99Ms;
      figures[`fanCpu${step.players}`] = step.serverCpuMs;
    }
    figures.memPerPlayer = fan.steps.at(-1).kibPerPlayer;
  });
  return figures;
}
