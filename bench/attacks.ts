/**
 * The hostile scenarios and the figures they yield, for one server in one
 * repeat. The project runs with the limits it ships with (see `Limits`); the
 * baseline has none, which is what these show. Each is a session of its own
 * on a freshly started server:
 * - siege (30 s rounds): idle and slow TCP connections up to the file limit,
 *   while 10 players play and `/healthz` is checked;
 * - oversize (30 s rounds): 100 sockets sending messages that never end,
 *   against the server's memory, once and then reconnecting;
 * - fairness (0.5 s rounds): one account flooding on 5 sockets, while another
 *   player plays and 10 observers time `EndRound`.
 *
 * A server that falls over is a result: its figures say so, the bench goes on.
 *
 * @module
 */

import { type LoadProcess, type LoadResult, runLoad, startLoad } from "./processes.ts";
import { type Base, type Figures, type Noise, quietly, session, type Target } from "./session.ts";
import type { Sizes } from "./scenarios.ts";
import { timedGet } from "./http_probe.ts";

/** Attackers run at this niceness, so they delay the processes that measure as little as can be. */
const ATTACKER_NICE = 10;

/** A figure from a load's JSON, where `null` (JSON's NaN) stays NaN. */
function figure(value: unknown): number {
  return typeof value === "number" ? value : NaN;
}

/** 1 when the server answers `/healthz` with 200 within 5 s on a new connection, else 0. */
async function alive(base: Base): Promise<number> {
  return (await timedGet(String(base.url), "/healthz", 5000)).status === 200 ? 1 : 0;
}

/** Stops the loads that run until stopped and collects their results. */
async function finish(loads: readonly LoadProcess[]): Promise<LoadResult[]> {
  for (const load of loads) load.stop();
  return await Promise.all(loads.map((load) => load.result));
}

async function siege(target: Target, sizes: Sizes): Promise<Figures & { other: number }> {
  const figures: Figures & { other: number } = { other: 0 };
  await session(target, 30, "default", async (base) => {
    const n = sizes.siegeProcesses;
    const sieges = await Promise.all(Array.from({ length: n }, () =>
      startLoad(
        {
          mode: "siege",
          ...base,
          idle: Math.ceil(sizes.siegeIdle / n),
          trickle: Math.ceil(sizes.siegeTrickle / n),
        },
        90_000,
        { nice: ATTACKER_NICE },
      )));
    let probe: LoadResult, held: LoadResult[] = [];
    try {
      await Promise.all(sieges.map((load) => load.ready));
      probe = await runLoad({
        mode: "probe",
        ...base,
        players: 10,
        healthz: 20,
        "duration-ms": sizes.siegeMs,
        ours: sieges.map((load) => load.pid).join(","),
      }, 30_000);
    } finally {
      held = await finish(sieges);
    }
    figures.siegeOpen = held.reduce((sum, r) => sum + r.openMedian, 0);
    figures.siegeServerFds = figure(probe.serverFds);
    figures.siegeJoined = probe.joined;
    figures.siegeRttP99 = figure(probe.rttP99Ms);
    figures.siegeHealthzP99 = figure(probe.healthzP99Ms);
    figures.siegeHealthzOk = probe.healthzOk;
    figures.siegeAlive = await alive(base);
    figures.other = figure(probe.otherCpu);
  });
  return figures;
}

async function oversize(target: Target, sizes: Sizes): Promise<Figures> {
  const figures: Figures = {};
  await session(target, 30, "default", async (base) => {
    const attack = await runLoad({
      mode: "oversize",
      ...base,
      sockets: sizes.oversizeSockets,
      "phase-ms": sizes.oversizePhaseMs,
    }, 60_000);
    figures.oversizeOnce = figure(attack.once.growthMiB);
    figures.oversizeAgain = figure(attack.reconnecting.growthMiB);
    figures.oversizeUpgrades = attack.reconnecting.upgrades / (sizes.oversizePhaseMs / 1000);
    figures.oversizeAlive = await alive(base);
  });
  return figures;
}

async function fairness(target: Target, sizes: Sizes): Promise<Figures & { other: number }> {
  const figures: Figures & { other: number } = { other: 0 };
  await session(target, 0.5, "default", async (base) => {
    // Player 0 floods, player 1 is the victim, players 2 to 11 observe.
    const hog = await startLoad(
      { mode: "hog", ...base, sockets: sizes.hogSockets, player: 0 },
      60_000,
      { nice: ATTACKER_NICE },
    );
    let victim: LoadResult, seen: LoadResult, flood: LoadResult;
    try {
      await hog.ready;
      const observers = await startLoad({
        mode: "observe",
        ...base,
        players: 10,
        "first-player": 2,
        "delay-ms": 500,
        "duration-ms": sizes.fairnessMs,
      }, 30_000);
      [victim, seen] = await Promise.all([
        runLoad({
          mode: "probe",
          ...base,
          players: 1,
          "first-player": 1,
          "duration-ms": sizes.fairnessMs,
          ours: `${hog.pid},${observers.pid}`,
        }, 30_000),
        observers.result,
      ]);
    } finally {
      [flood] = await finish([hog]);
    }
    figures.fairRttP99 = figure(victim.rttP99Ms);
    figures.fairLatenessP99 = figure(seen.p99Ms);
    figures.hogAnswered = figure(flood.answeredPerSecond);
    figures.hogReconnects = figure(flood.reconnectsPerSecond);
    figures.other = figure(victim.otherCpu);
  });
  return figures;
}

/** Runs every hostile scenario against `target` once and returns its figures. */
export async function measureAttacks(
  target: Target,
  sizes: Sizes,
  noise: Noise,
  log: (s: string) => void,
): Promise<Figures> {
  log(`${target.name}: siege of ${sizes.siegeIdle + sizes.siegeTrickle} idle and slow connections`);
  const { other: _siegeNoise, ...held } = await quietly(
    noise,
    log,
    0,
    () => siege(target, sizes),
    (r) => r.other,
  );
  log(`${target.name}: ${sizes.oversizeSockets} sockets sending messages that never end`);
  const memory = await oversize(target, sizes);
  log(`${target.name}: one account flooding on ${sizes.hogSockets} sockets`);
  const { other: _fairNoise, ...fair } = await quietly(
    noise,
    log,
    0,
    () => fairness(target, sizes),
    (r) => r.other,
  );
  return { ...held, ...memory, ...fair };
}
