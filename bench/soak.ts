/**
 * `deno task soak [--minutes N] [--cluster] [--no-browser]`: the game played
 * for a long time the way people play it, against the real server with its
 * default settings (see `soak_target.ts`), while each server's memory, file
 * descriptors, `/healthz` time and connections are read and printed once a
 * minute. At the end it checks that the servers stayed flat, that every
 * `EndRound` reached every connected client once, and that nothing was
 * counted twice (the recorded rounds against the clients' answered clicks),
 * prints the verdict, writes the report to `bench/results/soak-<time>.json`,
 * and exits 0 on pass, 1 on fail.
 *
 * See `bench/SOAK.md`.
 *
 * @module
 */

import { join } from "node:path";
import { killAll, ROOT } from "./processes.ts";
import { createAccount, type SoakAccount } from "./soak_accounts.ts";
import { SoakClient } from "./soak_client.ts";
import { isCut, soakPlans } from "./soak_plan.ts";
import { openFds } from "./proc.ts";
import { checkHealth } from "./soak_probe.ts";
import { watch } from "./soak_watch.ts";
import { attributeScores, type PlayerScores } from "./soak_scores.ts";
import { attributeTabScores } from "./soak_tab_scores.ts";
import { SoakTabs } from "./soak_tabs.ts";
import { type SoakTarget, startSingle } from "./soak_target.ts";
import { startCluster } from "./soak_cluster.ts";
import { judgeSoak } from "./soak_verdict.ts";
import { judgeTrend, type Trend } from "./soak_trend.ts";
import { formatVerdict } from "./soak_report.ts";
import type { ClientLog } from "./soak_events.ts";
import { round3 } from "./stats.ts";
import { cpuSeconds } from "./proc.ts";
import { sleep } from "./timing.ts";
import { startTcpProxy, type TcpProxy } from "../tests/support/tcp_proxy.ts";
import { CHROMIUM_MISSING } from "../tests/e2e/browser_support.ts";

const BOUNDS = { slope: 16, noise: 8 };
/** Descriptors a server may hold above its level before the first client, once all left. */
const FD_SLACK = 4;

interface Flags {
  readonly minutes: number;
  readonly cluster: boolean;
  readonly browser: boolean;
}

function parseFlags(args: readonly string[]): Flags {
  let minutes = 60;
  let cluster = false;
  let browser = true;
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split("=", 2);
    if (name === "--minutes") {
      const value = inline ?? args[++i];
      minutes = Number(value);
      if (!(minutes > 0)) throw new RangeError(`Cannot parse --minutes: "${value}"`);
    } else if (name === "--cluster") cluster = true;
    else if (name === "--no-browser") browser = false;
    else throw new TypeError(`Unknown flag: ${args[i]}`);
  }
  return { minutes, cluster, browser };
}

/** Polls `probe` every 250 ms until it returns true or `ms` pass; returns its last answer. */
async function waitFor(probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (true) {
    if (await probe()) return true;
    if (performance.now() > until) return false;
    await sleep(250);
  }
}

/** What an interrupted soak stops before it exits: its browser, servers and services. */
let cleanUp: (() => Promise<void>) | undefined;

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args);
  const { minutes } = flags;
  const target: SoakTarget = flags.cluster ? await startCluster() : await startSingle();
  const { servers } = target;
  console.log(`Soak: ${minutes} min against ${target.description}`);
  const proxies: TcpProxy[] = [];
  let tabs: SoakTabs | undefined;
  cleanUp = async () => {
    await tabs?.close().catch(() => {});
    await target.stop().catch(() => {});
    await target.dispose().catch(() => {});
  };
  try {
    for (const server of servers) {
      await waitFor(async () => (await checkHealth(server.base)).status === 200, 60_000);
    }
    const fdsBefore = servers.map((server) => openFds(server.pid));

    // Players register and log in one after another, each on a server in turn.
    const plans = soakPlans(flags.cluster);
    const stamp = Date.now().toString(36);
    const serverOf = (i: number) => servers[i % servers.length];
    const accounts: SoakAccount[] = [];
    for (const [i] of plans.entries()) {
      const name = `soak${stamp}${String(i).padStart(2, "0")}`;
      accounts.push(await createAccount(serverOf(i).base, name));
    }
    const clients: SoakClient[] = [];
    for (const [i, plan] of plans.entries()) {
      let url = serverOf(i).base;
      if (isCut(plan)) {
        const proxy = await startTcpProxy(url);
        proxies.push(proxy);
        url = proxy.url;
      }
      clients.push(new SoakClient(plan, accounts[i], url));
    }
    let browserNote = "no browser (--no-browser)";
    let tabPlayer: SoakAccount | undefined;
    if (flags.browser && CHROMIUM_MISSING !== undefined) {
      browserNote = `no browser: ${CHROMIUM_MISSING}`;
    } else if (flags.browser) {
      tabPlayer = await createAccount(serverOf(plans.length).base, `soak${stamp}tabs`);
      tabs = await SoakTabs.open(serverOf(plans.length).base, tabPlayer.username);
      browserNote = `${tabs.logs.length} Chromium tabs of ${tabPlayer.username}`;
    }
    console.log(
      `${clients.length} players: ${plans.map((p) => p.name).join(", ")}; ${browserNote}`,
    );
    const logs = (): ClientLog[] => [
      ...clients.map((c) => ({
        name: c.plan.name,
        username: c.account.username,
        events: c.events,
      })),
      ...(tabs?.logs ?? []),
    ];

    const stop = new AbortController();
    const keeping = accounts.map((account) => account.keep(stop.signal));
    const started = performance.now();
    const cpuAtStart = cpuSeconds("self");
    const running = [...clients.map((client) => client.run(stop.signal))];
    if (tabs) running.push(tabs.run(stop.signal));

    // Each cut client loses its network after 1 to 3 minutes, then every 3 to 6.
    const cutTimers = clients.filter((client) => isCut(client.plan)).map((client, i) => {
      let timer: ReturnType<typeof setTimeout>;
      const schedule = (first: boolean) => {
        const wait = first ? 60_000 + Math.random() * 120_000 : 180_000 + Math.random() * 180_000;
        timer = setTimeout(() => {
          client.cutting();
          proxies[i].cut();
          schedule(false);
        }, wait);
      };
      schedule(true);
      return () => clearTimeout(timer);
    });

    const { lines, samples } = await watch(servers, {
      started,
      minutes,
      logs,
      roundTrips: () => clients.flatMap((c) => c.drainRoundTrips()),
    });

    // Everyone leaves; the servers must let go of every connection and descriptor.
    const endedAt = Date.now();
    // The soak's own share of the machine, Chromium aside.
    const soakCores = (cpuSeconds("self") - cpuAtStart) / ((performance.now() - started) / 1000);
    for (const cancel of cutTimers) cancel();
    stop.abort();
    await Promise.all([...running, ...keeping]);
    await tabs?.close();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    let lastOnline: unknown;
    const emptied = await waitFor(async () => {
      const checked = await Promise.all(servers.map((server) => checkHealth(server.base)));
      lastOnline = checked.map((c) => c.online ?? c.status);
      return checked.every((c) => c.online?.connections === 0 && c.online.players === 0);
    }, 90_000);
    const fdsAfter = servers.map((server) => openFds(server.pid));
    await waitFor(() => {
      servers.forEach((server, i) => fdsAfter[i] = openFds(server.pid));
      return fdsAfter.every((fds, i) => fds <= fdsBefore[i] + FD_SLACK);
    }, 30_000);
    await target.stop();
    const recorded = await target.recorded();

    const scores = new Map<string, PlayerScores>(
      clients.map((c) => [c.account.username, attributeScores(c.events)]),
    );
    if (tabs && tabPlayer) {
      scores.set(tabPlayer.username, attributeTabScores(tabs.logs.map((log) => log.events)));
    }
    const trends: Trend[] = servers.map((_, i) =>
      judgeTrend(samples[i], minutes, fdsBefore[i], fdsAfter[i], {
        maxRssSlopeMiBPerHour: BOUNDS.slope,
        rssNoiseMiB: BOUNDS.noise,
        fdSlack: FD_SLACK,
      })
    );
    const verdict = judgeSoak({
      trends,
      bounds: BOUNDS,
      logs: logs(),
      scores,
      recorded,
      endedAt,
      emptied,
      lastOnline,
      startFailures: clients.flatMap((c) =>
        [...c.startFailures].map(([reason, n]) => ({ client: c.plan.name, reason, n }))
      ),
      renewFailures: accounts.reduce((total, a) => total + a.failedRenewals, 0),
      pageErrors: tabs?.pageErrors,
    });
    console.log("");
    console.log(formatVerdict(verdict.checks));
    console.log(`The soak itself used ${round3(soakCores)} of a core.`);
    const report = {
      pass: verdict.pass,
      minutes,
      target: target.description,
      startedAt: new Date(endedAt - minutes * 60_000).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      players: plans,
      browser: browserNote,
      tabs: tabs?.logs.map(({ name, clicks, reloads }) => ({ name, clicks, reloads })),
      soakCores,
      minutesLog: lines,
      samples,
      trends,
      checks: verdict.checks,
      deliveries: verdict.deliveries,
      rounds: { ...verdict.rounds, checkpoints: recorded.checkpoints },
      anomalies: verdict.anomalies,
      incidents: verdict.incidents,
    };
    const out = join(ROOT, "bench", "results");
    await Deno.mkdir(out, { recursive: true });
    const file = join(out, `soak-${new Date(endedAt).toISOString().replace(/[:.]/g, "-")}.json`);
    await Deno.writeTextFile(file, JSON.stringify(report, null, 2) + "\n");
    console.log(`Report: ${file}`);
    return verdict.pass ? 0 : 1;
  } finally {
    await tabs?.close().catch(() => {});
    await Promise.all(proxies.map((proxy) => proxy.close().catch(() => {})));
    await target.stop();
    await target.dispose().catch(() => {});
  }
}

if (import.meta.main) {
  // Ctrl-C or a kill: the servers, the browser and the services go too.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      console.error(`soak: ${signal}, stopping what it started`);
      await Promise.race([
        cleanUp?.(),
        new Promise((resolve) => setTimeout(resolve, 10_000)),
      ]);
      killAll();
      Deno.exit(130);
    });
  }
  let code = 1;
  try {
    code = await main();
  } catch (error) {
    console.error(error);
  } finally {
    killAll();
  }
  Deno.exit(code);
}
