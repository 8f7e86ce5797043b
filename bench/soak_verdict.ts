/**
 * The soak's verdict from what it gathered: the server's trend, every
 * client's log, each player's scores by round, and the rounds the database
 * recorded. Pure: each check says what it measured and, when it failed, why.
 *
 * @module
 */

import type { ClientLog } from "./soak_events.ts";
import type { PlayerScores } from "./soak_scores.ts";
import { checkDelivery, type Delivery } from "./soak_delivery.ts";
import { checkRounds, type HeardRound, type RoundsCheck } from "./soak_rounds_check.ts";
import type { Recorded } from "./soak_database.ts";
import type { Trend } from "./soak_trend.ts";
import { type Check, trendChecks } from "./soak_report.ts";

/** What the soak gathered, for {@linkcode judgeSoak}. */
export interface Gathered {
  /** One per server. */
  readonly trends: readonly Trend[];
  readonly bounds: { readonly slope: number; readonly noise: number };
  /** Every connection's log: official clients and browser tabs. */
  readonly logs: readonly ClientLog[];
  /** Username → scores by round. */
  readonly scores: ReadonlyMap<string, PlayerScores>;
  readonly recorded: Recorded;
  /** When the soak stopped looking (epoch ms). */
  readonly endedAt: number;
  /** Whether `/healthz` said 0 connections once all had left, and what it said. */
  readonly emptied: boolean;
  readonly lastOnline: unknown;
  /** Starts refused, by client and reason. */
  readonly startFailures: readonly {
    readonly client: string;
    readonly reason: string;
    readonly n: number;
  }[];
  readonly renewFailures: number;
  /** The page's uncaught errors; undefined when no browser played. */
  readonly pageErrors?: readonly string[];
}

/** The verdict and the findings behind it. */
export interface Verdict {
  readonly pass: boolean;
  readonly checks: readonly Check[];
  readonly deliveries: readonly (Delivery & { readonly client: string })[];
  readonly rounds: RoundsCheck;
  readonly anomalies: readonly string[];
  /** For each client that missed or doubled an `EndRound`, its log around each such round. */
  readonly incidents: readonly { readonly client: string; readonly events: readonly unknown[] }[];
}

/** Judges a soak. */
export function judgeSoak(gathered: Gathered): Verdict {
  const { logs, scores, recorded, endedAt } = gathered;
  const deliveries = logs.map((log) => ({
    client: log.name,
    ...checkDelivery(log.events, { endedAt }),
  }));
  const heard: HeardRound[] = logs.flatMap((log) =>
    log.events.flatMap((e) =>
      e.kind === "end"
        ? [{ client: log.name, roundId: e.roundId, winners: e.winners, nbClicks: e.nbClicks }]
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
  const anomalies = [...scores].flatMap(([name, s]) => s.anomalies.map((a) => `${name}: ${a}`));
  const sum = (f: (d: typeof deliveries[number]) => number) =>
    deliveries.reduce((total, d) => total + f(d), 0);
  const starts = gathered.startFailures.reduce((total, f) => total + f.n, 0);
  const lost = [...scores.values()].reduce((total, s) => total + s.lost, 0);
  const throttled = [...scores.values()].reduce((total, s) => total + s.throttled, 0);
  const checks: Check[] = [
    ...gathered.trends.flatMap((trend, i, all) =>
      trendChecks(trend, gathered.bounds, all.length > 1 ? `server ${i + 1}` : "")
    ),
    {
      name: "every connection let go",
      pass: gathered.emptied,
      detail: `/healthz online after all left: ${JSON.stringify(gathered.lastOnline)}`,
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
      pass: sum((d) => d.unexpectedDowns) === 0 && starts === 0,
      detail: `${sum((d) => d.unexpectedDowns)} lost, ${sum((d) => d.expectedDowns)} cut, ` +
        `stopped or reloaded by the soak, ${starts} starts failed` +
        deliveries.flatMap((d) =>
          Object.entries(d.downReasons).map(([reason, n]) => `; ${d.client} ${n}× ${reason}`)
        ).join("") +
        gathered.startFailures.map((f) => `; ${f.client} ${f.n}× refused: ${f.reason}`).join(""),
    },
    {
      name: "nothing counted twice: answers add up",
      pass: anomalies.length === 0,
      detail: (anomalies.length ? anomalies.slice(0, 20).join("; ") + "; " : "") +
        `${lost} invocations lost with their connection, ${throttled} clicks throttled`,
    },
    {
      name: "the recorded rounds match what the clients saw",
      pass: rounds.problems.length === 0 && winsProblems.length === 0 &&
        recorded.rounds.length > 0,
      detail: `${rounds.checked} rounds recorded (${rounds.ranged} with lost clicks, checked ` +
        `for fit)` +
        [...rounds.problems, ...winsProblems].slice(0, 20).map((p) => `; ${p}`).join(""),
    },
    {
      name: "tokens renewed",
      pass: gathered.renewFailures === 0,
      detail: `${gathered.renewFailures} renewals failed`,
    },
  ];
  if (gathered.pageErrors !== undefined) {
    checks.push({
      name: "the page ran without errors",
      pass: gathered.pageErrors.length === 0,
      detail: gathered.pageErrors.length ? gathered.pageErrors.slice(0, 10).join("; ") : "none",
    });
  }
  const incidents = deliveries.flatMap((d) => {
    const rounds = new Set([...d.missed, ...d.duplicated]);
    if (rounds.size === 0) return [];
    const events = logs.find((log) => log.name === d.client)?.events ?? [];
    // The round's own EndRounds, and what happened to the connection in the minute before.
    const times = events.filter((e) => e.kind === "end" && rounds.has(e.roundId)).map((e) => e.at);
    const near = (at: number) => times.some((t) => at > t - 60_000 && at < t + 5_000);
    return [{
      client: d.client,
      events: events.filter((e) =>
        (e.kind === "end" && rounds.has(e.roundId)) ||
        (e.kind !== "click" && e.kind !== "buy" && near(e.at))
      ),
    }];
  });
  return {
    incidents,
    pass: checks.every((c) => c.pass),
    checks,
    deliveries,
    rounds,
    anomalies,
  };
}
