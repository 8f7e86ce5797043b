/**
 * `deno task soak [--minutes N]`: the game played for a long time the way
 * people play it, against the real server with its default settings (a free
 * port on 127.0.0.1 and a temporary SQLite file aside), while the server's
 * memory, file descriptors, `/healthz` time and connections are read every
 * second and printed once a minute. At the end it checks that the server
 * stayed flat, that every `EndRound` reached every connected client once,
 * and that nothing was counted twice (the recorded rounds against the
 * clients' answered clicks), prints the verdict, writes the whole report to
 * `bench/results/soak-<time>.json`, and exits 0 on pass, 1 on fail.
 *
 * See `bench/SOAK.md`.
 *
 * @module
 */

import { join } from "node:path";
import { killAll, ROOT, startServer } from "./processes.ts";
import { createAccount, type SoakAccount } from "./soak_accounts.ts";
import { SoakClient } from "./soak_client.ts";
import { isCut, soakPlans } from "./soak_plan.ts";
import { checkHealth, openFds, rssMiB } from "./soak_probe.ts";
import { attributeScores } from "./soak_scores.ts";
import { checkDelivery } from "./soak_delivery.ts";
import { checkRounds, type HeardRound } from "./soak_rounds_check.ts";
import { readRecorded } from "./soak_database.ts";
import { judgeTrend, type Sample } from "./soak_trend.ts";
import {
  type Check,
  formatMinute,
  formatVerdict,
  type MinuteLine,
  trendChecks,
} from "./soak_report.ts";
import { quantile } from "./stats.ts";
import { sleep } from "./timing.ts";
import { startTcpProxy, type TcpProxy } from "../tests/support/tcp_proxy.ts";

const SLOPE_BOUND = 16;
const NOISE_BOUND = 8;
/** How often memory and descriptors are read for the trend. */
const SAMPLE_MS = 10_000;

function parseFlags(args: readonly string[]): { minutes: number } {
  let minutes = 60;
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split("=", 2);
    if (name === "--minutes") {
      const value = inline ?? args[++i];
      minutes = Number(value);
      if (!(minutes > 0)) throw new RangeError(`Cannot parse --minutes: "${value}"`);
    } else {
      throw new TypeError(`Unknown flag: ${args[i]}`);
    }
  }
  return { minutes };
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

async function main(): Promise<number> {
  const { minutes } = parseFlags(Deno.args);
  const dir = await Deno.makeTempDir({ prefix: "clicker-soak-" });
  const databasePath = join(dir, "clicker.db");
  const server = await startServer("main.ts", {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
  });
  console.log(
    `Soak: ${minutes} min against ${server.base} (pid ${server.pid}), database ${databasePath}`,
  );
  const proxies: TcpProxy[] = [];
  try {
    await waitFor(async () => (await checkHealth(server.base)).status === 200, 30_000);
    const fdsBefore = openFds(server.pid);

    const plans = soakPlans();
    const stamp = Date.now().toString(36);
    const accounts: SoakAccount[] = [];
    for (const [i] of plans.entries()) {
      accounts.push(await createAccount(server.base, `soak${stamp}${String(i).padStart(2, "0")}`));
    }
    const clients: SoakClient[] = [];
    for (const [i, plan] of plans.entries()) {
      let url = server.base;
      if (isCut(plan)) {
        const proxy = await startTcpProxy(server.base);
        proxies.push(proxy);
        url = proxy.url;
      }
      clients.push(new SoakClient(plan, accounts[i], url));
    }
    console.log(
      `${clients.length} players: ${plans.map((p) => p.name).join(", ")}`,
    );

    const stop = new AbortController();
    const keeping = accounts.map((account) => account.keep(stop.signal));
    const started = performance.now();
    const running = clients.map((client) => client.run(stop.signal));

    // Each cut client loses its network after 1 to 3 minutes, then every 3 to 6.
    const cutTimers = clients.map((client, i) => {
      if (!isCut(client.plan)) return undefined;
      const proxy = proxies[clients.slice(0, i).filter((c) => isCut(c.plan)).length];
      let timer: ReturnType<typeof setTimeout>;
      const schedule = (first: boolean) => {
        const wait = first ? 60_000 + Math.random() * 120_000 : 180_000 + Math.random() * 180_000;
        timer = setTimeout(() => {
          client.cutting();
          proxy.cut();
          schedule(false);
        }, wait);
      };
      schedule(true);
      return () => clearTimeout(timer);
    });

    const lines: MinuteLine[] = [];
    const samples: Sample[] = [];
    let health: number[] = [];
    let healthFailures = 0;
    let online = { players: 0, connections: 0 };
    const endAt = started + minutes * 60_000;
    let nextSample = started + SAMPLE_MS;
    let nextMinute = started + 60_000;
    while (true) {
      const checked = await checkHealth(server.base);
      health.push(checked.ms);
      if (checked.status !== 200) healthFailures++;
      if (checked.online) online = checked.online;
      const now = performance.now();
      const over = now >= endAt;
      const minute = Math.round((now - started) / 6000) / 10;
      if (now >= nextSample || over) {
        samples.push({ minute, rssMiB: rssMiB(server.pid), fds: openFds(server.pid) });
        nextSample += SAMPLE_MS;
      }
      if (now >= nextMinute || over) {
        const { rssMiB: rss, fds } = samples[samples.length - 1];
        const trips = clients.flatMap((c) => c.drainRoundTrips());
        const heardRounds = new Set(
          clients.flatMap((c) => c.events.filter((e) => e.kind === "end").map((e) => e.roundId)),
        );
        const downs = clients.flatMap((c) => c.events.filter((e) => e.kind === "down"));
        const line: MinuteLine = {
          minute,
          rssMiB: rss,
          fds,
          healthP99Ms: quantile(health, 0.99),
          healthChecks: health.length,
          healthFailures,
          invokeP99Ms: quantile(trips, 0.99),
          invokes: trips.length,
          players: online.players,
          connections: online.connections,
          rounds: heardRounds.size,
          unexpectedDowns: downs.filter((d) => d.kind === "down" && !d.expected).length,
          expectedDowns: downs.filter((d) => d.kind === "down" && d.expected).length,
        };
        lines.push(line);
        console.log(formatMinute(line));
        health = [];
        healthFailures = 0;
        nextMinute += 60_000;
      }
      if (over) break;
      await sleep(Math.max(0, Math.min(1000, endAt - performance.now())));
    }

    // Everyone leaves; the server must let go of every connection and descriptor.
    const endedAt = Date.now();
    for (const cancel of cutTimers) cancel?.();
    stop.abort();
    await Promise.all([...running, ...keeping]);
    await Promise.all(proxies.map((proxy) => proxy.close()));
    let last = await checkHealth(server.base);
    const emptied = await waitFor(async () => {
      last = await checkHealth(server.base);
      return last.online?.connections === 0;
    }, 60_000);
    let fdsAfter = openFds(server.pid);
    await waitFor(() => (fdsAfter = openFds(server.pid)) <= fdsBefore + 4, 30_000);
    await server.stop();
    const recorded = await readRecorded(databasePath);

    // The checks.
    const scores = new Map(clients.map((c) => [c.account.username, attributeScores(c.events)]));
    const deliveries = clients.map((c) => ({
      client: c.plan.name,
      ...checkDelivery(c.events, { endedAt }),
    }));
    const heard: HeardRound[] = clients.flatMap((c) =>
      c.events.flatMap((e) =>
        e.kind === "end"
          ? [{ client: c.plan.name, roundId: e.roundId, winners: e.winners, nbClicks: e.nbClicks }]
          : []
      )
    );
    const rounds = checkRounds(
      recorded.rounds,
      new Map([...scores].map(([name, s]) => [name, s.rounds])),
      heard,
    );
    const winsProblems = [...recorded.wins].flatMap(([name, wins]) => {
      const won = recorded.rounds.filter((r) => r.winners.includes(name)).length;
      return won === wins ? [] : [`${name}: nb_wins ${wins}, winner of ${won} recorded rounds`];
    });
    const trend = judgeTrend(samples, minutes, fdsBefore, fdsAfter, {
      maxRssSlopeMiBPerHour: SLOPE_BOUND,
      rssNoiseMiB: NOISE_BOUND,
    });
    const anomalies = [...scores].flatMap(([name, s]) => s.anomalies.map((a) => `${name}: ${a}`));
    const sum = (f: (d: typeof deliveries[number]) => number) =>
      deliveries.reduce((total, d) => total + f(d), 0);
    const downReasons: Record<string, number> = {};
    for (const d of deliveries) {
      for (const [reason, n] of Object.entries(d.downReasons)) {
        downReasons[`${d.client}: ${reason}`] = n;
      }
    }
    const startFailures = clients.reduce((total, c) => total + c.startFailures, 0);
    const renewFailures = accounts.reduce((total, a) => total + a.failedRenewals, 0);
    const checks: Check[] = [
      ...trendChecks(trend, { slope: SLOPE_BOUND, noise: NOISE_BOUND }),
      {
        name: "every connection let go",
        pass: emptied,
        detail: `/healthz online after all left: ${JSON.stringify(last.online ?? last.status)}`,
      },
      {
        name: "every EndRound reached every connected client once",
        pass: sum((d) => d.missed.length) === 0 && sum((d) => d.duplicated.length) === 0,
        detail: `${sum((d) => d.expected)} owed, ${sum((d) => d.received)} received, ` +
          `${sum((d) => d.missed.length)} missed, ${sum((d) => d.duplicated.length)} twice` +
          deliveries.filter((d) => d.missed.length || d.duplicated.length).map((d) =>
            `; ${d.client} missed [${d.missed}] twice [${d.duplicated}]`
          ).join(""),
      },
      {
        name: "no connection lost that the soak did not cut or stop",
        pass: sum((d) => d.unexpectedDowns) === 0 && startFailures === 0,
        detail: `${sum((d) => d.unexpectedDowns)} lost, ${sum((d) => d.expectedDowns)} cut or ` +
          `stopped by the soak, ${startFailures} starts failed` +
          Object.entries(downReasons).map(([reason, n]) => `; ${n}× ${reason}`).join(""),
      },
      {
        name: "nothing counted twice: answers add up",
        pass: anomalies.length === 0,
        detail: anomalies.length
          ? anomalies.slice(0, 20).join("; ")
          : `${sum((d) => d.received)} EndRounds, ${
            [...scores.values()].reduce((t, s) => t + s.lost, 0)
          } invocations lost with their connection, ${
            [...scores.values()].reduce((t, s) => t + s.throttled, 0)
          } throttled`,
      },
      {
        name: "the recorded rounds match what the clients saw",
        pass: rounds.problems.length === 0 && winsProblems.length === 0 &&
          recorded.rounds.length > 0,
        detail:
          `${rounds.checked} rounds recorded (${rounds.ranged} with lost clicks, checked for fit)` +
          [...rounds.problems, ...winsProblems].slice(0, 20).map((p) => `; ${p}`).join(""),
      },
      {
        name: "tokens renewed",
        pass: renewFailures === 0,
        detail: `${renewFailures} renewals failed`,
      },
    ];
    console.log("");
    console.log(formatVerdict(checks));
    const pass = checks.every((c) => c.pass);
    const report = {
      pass,
      minutes,
      startedAt: new Date(endedAt - minutes * 60_000).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      players: plans,
      minutesLog: lines,
      samples,
      trend,
      checks,
      deliveries,
      downReasons,
      rounds: { ...rounds, recorded: recorded.rounds.length, checkpoints: recorded.checkpoints },
      anomalies,
    };
    const out = join(ROOT, "bench", "results");
    await Deno.mkdir(out, { recursive: true });
    const file = join(out, `soak-${new Date(endedAt).toISOString().replace(/[:.]/g, "-")}.json`);
    await Deno.writeTextFile(file, JSON.stringify(report, null, 2) + "\n");
    console.log(`Report: ${file}`);
    await Deno.remove(dir, { recursive: true });
    return pass ? 0 : 1;
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.close().catch(() => {})));
    await server.stop();
  }
}

if (import.meta.main) {
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
