/**
 * The clustered part: the project with `REDIS_URL` and `DATABASE_URL` set,
 * measured on its own and, for CPU per click, against itself as one process.
 * Every server is pinned to core 0 and every load to core 1, as elsewhere;
 * Redis and PostgreSQL run where the system puts them. Each repeat runs six
 * sessions (see `cluster_session.ts`), each on freshly started servers:
 * - CPU per click (30 s rounds): the click flood of the speed half against one
 *   clustered server (Redis's CPU read beside it), and against one process on
 *   SQLite;
 * - fan-out (0.5 s rounds): idle sockets spread over three servers, each
 *   `EndRound` timed against its deadline;
 * - lateness (0.5 s rounds): idle observers time `EndRound` while players
 *   click at a steady pace, on three servers, and on one process on SQLite;
 * - takeover (0.5 s rounds): three servers; the leader is killed (SIGKILL),
 *   then the next leader frozen (SIGSTOP), and the survivors are timed.
 *
 * A session that fails leaves its figures out and says why; the run goes on.
 *
 * @module
 */

import { runLoad } from "./processes.ts";
import { type Base, type Figures, type Noise, quietly, session, type Target } from "./session.ts";
import { clusterSession, type ClusterSetup } from "./cluster_session.ts";
import { latenessP99, type Sizes } from "./scenarios.ts";
import { round3 } from "./stats.ts";

/** A figure from a load's JSON, where `null` (JSON's NaN) stays NaN. */
function figure(value: unknown): number {
  return typeof value === "number" ? value : NaN;
}

/** Microseconds of CPU per click, from cores used and clicks a second. */
function perClick(cores: number, clicksPerSecond: number): number {
  return round3(cores * 1e6 / clicksPerSecond);
}

/** The clustered part's figures of one repeat: the clustered column and the single process's. */
export interface ClusterFigures {
  readonly clustered: Figures;
  readonly single: Figures;
  /** Sessions that failed, each with the first line of why: their figures are left out. */
  readonly failures: readonly string[];
}

/** What each scenario gets. */
interface Context {
  readonly setup: ClusterSetup;
  readonly sizes: Sizes;
  readonly noise: Noise;
  readonly log: (s: string) => void;
}

/** The 100-player flood against `base`'s server, with Redis's CPU beside it if `helper` is set. */
function flood(ctx: Context, base: Base, pid: number, helper = 0) {
  const flags = {
    mode: "flood",
    ...base,
    "server-pid": pid,
    "helper-pid": helper,
    players: ctx.sizes.floodPlayers.at(-1)!,
    "duration-ms": ctx.sizes.clusterFloodMs,
  };
  return quietly(ctx.noise, ctx.log, pid, () => runLoad(flags, 30_000), (r) => r.otherCpu);
}

/**
 * `EndRound` lateness seen by 10 idle observers while the speed half's
 * players click at its steady pace, all spread over the servers `base`
 * names; `ours` are the bench's processes besides the first server (left
 * out of the noise), `helper` Redis.
 */
async function lateness(
  ctx: Context,
  base: Base,
  pid: number,
  ours: readonly number[] = [],
  helper = 0,
): Promise<number> {
  const p99 = await latenessP99({
    noise: ctx.noise,
    log: ctx.log,
    base,
    sizes: ctx.sizes,
    rate: ctx.sizes.latenessRate,
    pid,
    floodFlags: { "server-pid": pid, "helper-pid": helper, ours: ours.join(",") },
  });
  return figure(p99);
}

async function singleLateness(ctx: Context, single: Target): Promise<Figures> {
  const figures: Figures = {};
  await session(single, 0.5, "raised", async (base) => {
    ctx.log("single process: EndRound lateness");
    figures.clusterLatenessP99 = await lateness(ctx, base, Number(base["server-pid"]));
  });
  return figures;
}

async function clusteredLateness(ctx: Context): Promise<Figures> {
  const figures: Figures = {};
  const { sizes, setup } = ctx;
  const options = { servers: sizes.clusterServers, roundSeconds: 0.5, redisDb: 11 };
  await clusterSession(setup, options, async (servers, base) => {
    ctx.log(`clustered: EndRound lateness on ${servers.length} servers`);
    const [first, ...rest] = servers.map((s) => s.pid);
    figures.clusterLatenessP99 = await lateness(ctx, base, first, rest, setup.redisPid);
  });
  return figures;
}

async function singleFlood(ctx: Context, single: Target): Promise<Figures> {
  const figures: Figures = {};
  await session(single, 30, "raised", async (base) => {
    ctx.log("single process: CPU per click");
    const r = await flood(ctx, base, Number(base["server-pid"]));
    figures.cpuPerClick = perClick(r.serverCpu, r.clicksPerSecond);
    figures.clusterClicks = r.clicksPerSecond;
  });
  return figures;
}

async function clusteredFlood(ctx: Context): Promise<Figures> {
  const figures: Figures = {};
  const options = { servers: 1, roundSeconds: 30, redisDb: 8 };
  await clusterSession(ctx.setup, options, async ([server], base) => {
    ctx.log("clustered: CPU per click");
    const r = await flood(ctx, base, server.pid, ctx.setup.redisPid);
    figures.cpuPerClick = perClick(r.serverCpu, r.clicksPerSecond);
    figures.redisPerClick = perClick(r.helperCpu, r.clicksPerSecond);
    figures.clusterClicks = r.clicksPerSecond;
  });
  return figures;
}

async function fanout(ctx: Context): Promise<Figures> {
  const figures: Figures = {};
  const { sizes, setup } = ctx;
  const options = { servers: sizes.clusterServers, roundSeconds: 0.5, redisDb: 9 };
  await clusterSession(setup, options, async (servers, base) => {
    ctx.log(`clustered: EndRound to ${sizes.clusterSockets} sockets on ${servers.length} servers`);
    const flags = {
      mode: "fanout",
      ...base,
      sizes: sizes.clusterSockets,
      rounds: sizes.clusterRounds,
      ours: [...servers.map((s) => s.pid), setup.redisPid].join(","),
    };
    const run = () => runLoad(flags, 120_000);
    const fan = await quietly(ctx.noise, ctx.log, servers[0].pid, run, (r) => r.steps[0].otherCpu);
    const step = fan.steps[0];
    figures.clusterFanLastP99 = figure(step.lastP99Ms);
    figures.clusterFanLast = figure(step.lastMs);
    figures.clusterFanP50 = figure(step.p50Ms);
    figures.clusterFanP99 = figure(step.p99Ms);
    figures.clusterFanMissing = step.missing;
  });
  return figures;
}

async function takeover(ctx: Context): Promise<Figures> {
  const figures: Figures = {};
  const options = { servers: ctx.sizes.clusterServers, roundSeconds: 0.5, redisDb: 10 };
  await clusterSession(ctx.setup, options, async (servers, base) => {
    ctx.log("clustered: takeover after kill -9, then SIGSTOP, of the leader");
    const flags = {
      mode: "takeover",
      ...base,
      pids: servers.map((s) => s.pid).join(","),
      signals: "SIGKILL,SIGSTOP",
    };
    const r = await runLoad(flags, 60_000);
    for (const t of r.takeovers) {
      const id = t.signal === "SIGSTOP" ? "Stop" : "Kill";
      figures[`takeover${id}Leader`] = figure(t.leaderMs);
      figures[`takeover${id}EndRound`] = figure(t.endRoundMs);
    }
    figures.takeoverInOrder = r.inOrder;
  });
  return figures;
}

/** Runs the clustered part once; `single` is the project as one process. */
export async function measureCluster(
  single: Target,
  setup: ClusterSetup,
  sizes: Sizes,
  noise: Noise,
  log: (s: string) => void,
): Promise<ClusterFigures> {
  const ctx: Context = { setup, sizes, noise, log };
  const failures: string[] = [];
  const survive = async (what: string, scenario: () => Promise<Figures>): Promise<Figures> => {
    try {
      return await scenario();
    } catch (error) {
      const message = (error as Error).message;
      log(`  ${what} failed: ${message}`);
      failures.push(`${what}: ${message.split("\n")[0].slice(0, 200)}`);
      return {};
    }
  };
  const alone = {
    ...await survive("single-process flood", () => singleFlood(ctx, single)),
    ...await survive("single-process lateness", () => singleLateness(ctx, single)),
  };
  const clustered = {
    ...await survive("clustered flood", () => clusteredFlood(ctx)),
    ...await survive("clustered fan-out", () => fanout(ctx)),
    ...await survive("clustered lateness", () => clusteredLateness(ctx)),
    ...await survive("takeover", () => takeover(ctx)),
  };
  return { clustered, single: alone, failures };
}
