/**
 * The rows of the results table: what each figure is called, its unit and
 * its goal, for the speed scenarios and then the hostile ones.
 *
 * @module
 */

import type { Sizes } from "./scenarios.ts";

/** A goal on a figure: on the ratio project/baseline, or on the project's own value. */
export type Goal =
  | { readonly on: "ratio"; readonly atLeast?: number; readonly atMost?: number }
  | { readonly on: "value"; readonly below: number };

/** One row of the table. */
export interface Metric {
  readonly id: string;
  readonly label: string;
  /** Unit after the figure; `yes/no` shows 1 as yes and 0 as no. */
  readonly unit: string;
  readonly goal?: Goal;
  /** What a cell says when no repeat yielded a figure (default "—"). */
  readonly missing?: string;
  /** Leave the ratio out: a count whose ratio means nothing. */
  readonly noRatio?: boolean;
}

/** The table's rows, in order, for these sizes. */
export function metricsFor(sizes: Sizes): Metric[] {
  const [small, big] = sizes.fanout;
  const n = (x: number) => x.toLocaleString("en-US");
  const rows: Metric[] = [];
  for (const players of sizes.floodPlayers) {
    rows.push({
      id: `flood${players}`,
      label: `Click flood, ${players} player${players === 1 ? "" : "s"}: clicks counted/s`,
      unit: "/s",
      goal: players >= 10 ? { on: "ratio", atLeast: 0.8 } : undefined,
    });
  }
  const last = sizes.floodPlayers.at(-1);
  rows.push(
    { id: `floodCpu${last}`, label: `… server CPU during the ${last}-player flood`, unit: "core" },
    ...sizes.floodPlayers.map((players) => ({
      id: `floodCpuPerClick${players}`,
      label: `… server CPU a click, ${players}-player flood`,
      unit: "µs",
    })),
    {
      id: "pacedCpuPerClick",
      label: `Paced, ${n(sizes.pacedPlayers)} players × ${sizes.pacedRate}/s: server CPU a click`,
      unit: "µs",
      goal: { on: "ratio", atMost: 1 },
    },
    { id: "pacedClicks", label: "… clicks counted/s", unit: "/s" },
    {
      id: "rttP50",
      label: `invoke("Increment") round-trip p50, ${sizes.rttPlayers} players`,
      unit: "ms",
    },
    {
      id: "rttP99",
      label: `invoke("Increment") round-trip p99, ${sizes.rttPlayers} players`,
      unit: "ms",
      goal: { on: "ratio", atMost: 1.5 },
    },
  );
  for (const size of [small, big]) {
    rows.push(
      {
        id: `fanLast${size}`,
        label: `EndRound fan-out to ${n(size)}: deadline → last receipt`,
        unit: "ms",
        goal: { on: "ratio", atMost: 1 },
      },
      { id: `fanP50_${size}`, label: `EndRound fan-out to ${n(size)}: receipt p50`, unit: "ms" },
      { id: `fanP99_${size}`, label: `EndRound fan-out to ${n(size)}: receipt p99`, unit: "ms" },
      {
        id: `fanCpu${size}`,
        label: `EndRound fan-out to ${n(size)}: server CPU a round`,
        unit: "ms",
        goal: size === big ? { on: "ratio", atMost: 1 } : undefined,
      },
    );
  }
  rows.push(
    {
      id: "memPerPlayer",
      label: `Memory per idle connected player at ${n(big)} (server RSS)`,
      unit: "KiB",
      goal: { on: "ratio", atMost: 1.5 },
    },
    {
      id: "latenessP99",
      label: `EndRound lateness p99, ${sizes.latenessPlayers} players flooding at ` +
        `${sizes.latenessRate}/s each`,
      unit: "ms",
      goal: { on: "value", below: 5 },
    },
    {
      id: "latenessSatP99",
      label: `EndRound lateness p99, ${sizes.latenessPlayers} players flooding flat out`,
      unit: "ms",
    },
    { id: "loginIdleP99", label: "Probe round-trip p99, idle (reference)", unit: "ms" },
    {
      id: "loginLagP99",
      label: `Event-loop lag p99 (probe round-trip) during ${sizes.logins} logins`,
      unit: "ms",
      goal: { on: "value", below: 20 },
    },
    { id: "loginWall", label: `Time for ${sizes.logins} concurrent logins`, unit: "ms" },
  );
  return [...rows, ...attackMetrics(sizes)];
}

/** The rows of the hostile scenarios, run with the project's default limits. */
function attackMetrics(sizes: Sizes): Metric[] {
  const n = (x: number) => x.toLocaleString("en-US");
  const none = "none answered";
  return [
    {
      id: "siegeOpen",
      label: `Siege, ${n(sizes.siegeIdle)} idle + ${n(sizes.siegeTrickle)} slow TCP connections: ` +
        "open, as the attacker counts them (median)",
      unit: "",
      noRatio: true,
    },
    {
      id: "siegeServerFds",
      label: "… file descriptors the server held",
      unit: "",
      missing: "server gone",
      noRatio: true,
    },
    { id: "siegeJoined", label: "… players who got in (of 10)", unit: "", noRatio: true },
    {
      id: "siegeRttP99",
      label: `… invoke("Increment") round-trip p99 of those players`,
      unit: "ms",
      goal: { on: "value", below: 50 },
      missing: "none got in",
    },
    {
      id: "siegeHealthzP99",
      label: "… GET /healthz p99, 20 checks on new connections",
      unit: "ms",
      goal: { on: "value", below: 100 },
      missing: "not all answered",
    },
    { id: "siegeHealthzOk", label: "… checks answered 200 (of 20)", unit: "", noRatio: true },
    { id: "siegeAlive", label: "… server answering /healthz after the siege", unit: "yes/no" },
    {
      id: "oversizeOnce",
      label: `Oversize, ${sizes.oversizeSockets} sockets at once sending endless fragments or ` +
        "frames over 64 KiB: peak RSS growth",
      unit: "MiB",
      goal: { on: "value", below: 100 },
    },
    {
      id: "oversizeAgain",
      label: `… then ${sizes.oversizePhaseMs / 1000} s more, each socket reconnecting after ` +
        "every close: peak RSS growth (the attack stops past 1 GiB)",
      unit: "MiB",
      goal: { on: "value", below: 100 },
    },
    {
      id: "oversizeUpgrades",
      label: "… attackers' upgrades while reconnecting",
      unit: "/s",
      noRatio: true,
    },
    { id: "oversizeAlive", label: "… server answering /healthz after the attack", unit: "yes/no" },
    {
      id: "fairRttP99",
      label: `One account flooding on ${sizes.hogSockets} sockets: another player's round-trip p99`,
      unit: "ms",
      goal: { on: "value", below: 20 },
      missing: none,
    },
    {
      id: "fairLatenessP99",
      label: "… EndRound lateness p99, 10 observers",
      unit: "ms",
      goal: { on: "value", below: 20 },
      missing: none,
    },
    { id: "hogAnswered", label: "… flooder's invocations answered", unit: "/s" },
    { id: "hogReconnects", label: "… flooder's reconnections", unit: "/s", noRatio: true },
  ];
}

/**
 * The rows of the clustered part: the project with Redis and PostgreSQL in the
 * first column, the project as one process in the second where it compares.
 */
export function clusterMetrics(sizes: Sizes): Metric[] {
  const players = sizes.floodPlayers.at(-1);
  const spread = `${sizes.clusterSockets.toLocaleString("en-US")} sockets on ` +
    `${sizes.clusterServers} servers`;
  const takeover = (id: string, how: string): Metric[] => [
    {
      id: `takeover${id}Leader`,
      label: `Takeover after ${how} of the leader: until another's /healthz says leader`,
      unit: "ms",
      goal: { on: "value", below: 2000 },
      missing: "none",
    },
    {
      id: `takeover${id}EndRound`,
      label: "… until the next EndRound reaches a client of a surviving server",
      unit: "ms",
      goal: { on: "value", below: 2000 },
      missing: "none",
    },
  ];
  return [
    {
      id: "cpuPerClick",
      label: `Server CPU per counted click, ${players}-player flood`,
      unit: "µs",
      goal: { on: "ratio", atMost: 1.5 },
    },
    { id: "redisPerClick", label: "… Redis CPU per counted click", unit: "µs" },
    { id: "clusterClicks", label: "… clicks counted/s", unit: "/s" },
    {
      id: "clusterFanLastP99",
      label: `EndRound to ${spread}: deadline → last receipt, p99 of ` +
        `${sizes.clusterRounds} rounds`,
      unit: "ms",
      goal: { on: "value", below: 50 },
    },
    { id: "clusterFanLast", label: "… deadline → last receipt, median of the rounds", unit: "ms" },
    { id: "clusterFanP50", label: "… receipt p50", unit: "ms" },
    { id: "clusterFanP99", label: "… receipt p99", unit: "ms" },
    { id: "clusterFanMissing", label: "… receipts missing", unit: "", noRatio: true },
    {
      id: "clusterLatenessP99",
      label: `EndRound lateness p99, ${sizes.latenessPlayers} players at ${sizes.latenessRate}/s ` +
        `each and 10 observers, spread over the servers`,
      unit: "ms",
      goal: { on: "value", below: 5 },
    },
    ...takeover("Kill", "kill -9"),
    ...takeover("Stop", "SIGSTOP"),
    {
      id: "takeoverInOrder",
      label: "… every round reached a surviving client once, in order (SIGCONT, then kill -9)",
      unit: "yes/no",
    },
  ];
}

/**
 * The rows of the scrape cost (`scrape.ts`): the project with `/metrics`
 * scraped every second in the first column, not scraped in the second.
 */
export function scrapeMetrics(sizes: Sizes): Metric[] {
  return [
    {
      id: "scrapeCpuPerClick",
      label: `Server CPU per counted click, ${sizes.scrapePlayers.toLocaleString("en-US")} ` +
        `players at ${sizes.scrapeRate}/s each`,
      unit: "µs",
      goal: { on: "ratio", atMost: 1.03 },
    },
    { id: "scrapeRatio", label: "… scraped / not scraped within each repeat", unit: "×" },
    { id: "scrapeClicks", label: "… clicks counted/s", unit: "/s" },
    { id: "scrapeP99", label: "… GET /metrics p99", unit: "ms" },
    {
      id: "scrapeFailed",
      label: "… scrapes failed (no answer within the 1 s timeout)",
      unit: "",
      noRatio: true,
    },
    { id: "scrapeKiB", label: "… GET /metrics answer size", unit: "KiB" },
    {
      id: "scrapeServerMs",
      label: `… server CPU of one scrape, ${sizes.scrapePlayers.toLocaleString("en-US")} ` +
        `players idle, ${sizes.scrapeBurst} scrapes back to back`,
      unit: "ms",
    },
    {
      id: "scrapeExpected",
      label: "… ratio to expect from that: 1 + one scrape's CPU / a second of clicks' CPU",
      unit: "×",
    },
  ];
}
