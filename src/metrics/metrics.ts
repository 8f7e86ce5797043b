/**
 * The server's Prometheus metrics (`prom-client`, text format 0.0.4): the
 * families named `clicker_*`, plus the runtime's default process metrics.
 *
 * Counting costs the click path nothing measurable: the hub increments plain
 * numbers (`hub_counts.ts`), HTTP requests are tallied in a map, and every
 * gauge (connections, players, the leader, dependencies, unrecorded rounds)
 * is read when Prometheus scrapes, in the families' `collect` callbacks.
 * Only the once-a-round histograms are observed as they happen.
 *
 * @module
 */

import client from "prom-client";
import { LoopLag } from "./loop_lag.ts";
import type { HubCounts } from "./hub_counts.ts";

/** An open connection, as the metrics sort it. */
export interface CountedConnection {
  readonly socket: { readonly transport?: string };
  readonly protocol: { readonly name: string };
}

/** What {@linkcode Metrics} reads on each scrape. */
export interface MetricsDeps {
  readonly serverId: string;
  readonly version: string;
  readonly mode: "single" | "cluster";
  /** What the hub counted. */
  readonly counts: HubCounts;
  /** The open connections. */
  readonly connections: () => Iterable<CountedConnection>;
  /** Players with a connection to this server. */
  readonly playersHere: () => number;
  /** Rounds ended but not yet recorded. */
  readonly unrecorded: () => number;
  /** Whether this server ends rounds now (always, for one server). */
  readonly leader: () => boolean;
  /** How often this server took or lost the lead. */
  readonly leaderChanges: () => number;
  /** Whether each dependency answers now (`SQLite`, or `Redis` and `PostgreSQL`). */
  readonly dependencies: () => Promise<Record<string, boolean>>;
}

/** Histogram buckets for a round's close, from its deadline: a few ms to several seconds. */
const LATENESS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Histogram buckets for writing one `EndRound` to every connection. */
const FANOUT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Default process metrics left out: under Deno these never move (active
 * handles and requests are not tracked, garbage collections are not
 * observed, and the loop lag figures read 0), and the `_total` gauges fail
 * `promtool check metrics`. `clicker_event_loop_lag_seconds` measures the
 * loop instead.
 */
const UNFIT_DEFAULTS = [
  "nodejs_active_handles",
  "nodejs_active_handles_total",
  "nodejs_active_requests",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
  "nodejs_gc_duration_seconds",
  "nodejs_eventloop_lag_seconds",
  // Set only by the one above, from the runtime's `monitorEventLoopDelay`,
  // which under Deno doesn't see a blocked loop (see `loop_lag.ts`).
  "nodejs_eventloop_lag_min_seconds",
  "nodejs_eventloop_lag_max_seconds",
  "nodejs_eventloop_lag_mean_seconds",
  "nodejs_eventloop_lag_stddev_seconds",
  "nodejs_eventloop_lag_p50_seconds",
  "nodejs_eventloop_lag_p90_seconds",
  "nodejs_eventloop_lag_p99_seconds",
];

/** One server's metrics registry. */
export class Metrics {
  /** The `Content-Type` of {@linkcode Metrics.render}'s text. */
  readonly contentType: string;
  readonly #registry = new client.Registry();
  readonly #requests = new Map<string, { route: string; status: string; count: number }>();
  readonly #requestSeconds: client.Histogram;
  readonly #lateness: client.Histogram;
  readonly #fanout: client.Histogram;
  readonly #rounds: client.Counter;
  readonly #loopLag = new LoopLag();

  constructor(deps: MetricsDeps) {
    const registers = [this.#registry];
    this.contentType = this.#registry.contentType;
    // The default event-loop monitor's figures are left out below; once a
    // second it costs nothing to speak of (at its default 10 ms it woke the
    // idle server 100 times a second).
    client.collectDefaultMetrics({ register: this.#registry, eventLoopMonitoringPrecision: 1000 });
    for (const name of UNFIT_DEFAULTS) this.#registry.removeSingleMetric(name);
    const { counts } = deps;
    const requests = this.#requests;
    const loopLag = this.#loopLag;

    new client.Gauge({
      name: "clicker_build_info",
      help: "Always 1; the labels name this server's version, id and mode.",
      labelNames: ["version", "server_id", "mode"],
      registers,
      collect() {
        this.set({ version: deps.version, server_id: deps.serverId, mode: deps.mode }, 1);
      },
    });
    new client.Gauge({
      name: "clicker_connections",
      help: "Open hub connections, by transport and protocol.",
      labelNames: ["transport", "protocol"],
      registers,
      collect() {
        const tally = new Map<string, number>();
        for (const connection of deps.connections()) {
          const key = `${connection.socket.transport ?? "webSockets"} ${connection.protocol.name}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
        }
        this.reset();
        for (const [key, value] of tally) {
          const [transport, protocol] = key.split(" ");
          this.set({ transport, protocol }, value);
        }
      },
    });
    counter("clicker_connections_opened_total", "Hub connections opened.", [], (set) => {
      set({}, counts.connectionsOpened);
    });
    counterBy(
      "clicker_connections_closed_total",
      "Hub connections closed, by reason.",
      "reason",
      () => Object.fromEntries(counts.connectionsClosed),
    );
    counterBy(
      "clicker_hub_messages_total",
      "Hub messages, in from clients and out to them.",
      "direction",
      () => ({ in: counts.messagesIn, out: counts.messagesOut }),
    );
    counterBy(
      "clicker_clicks_total",
      "Clicks: counted, capped (over the cap), refused (game unavailable).",
      "result",
      () => ({
        counted: counts.clicksCounted,
        capped: counts.clicksCapped,
        refused: counts.clicksRefused,
      }),
    );
    counterBy(
      "clicker_purchases_total",
      "Multiplier purchases: bought, refused (too few points), failed.",
      "result",
      () => ({
        bought: counts.purchasesBought,
        refused: counts.purchasesRefused,
        failed: counts.purchasesFailed,
      }),
    );
    this.#rounds = new client.Counter({
      name: "clicker_rounds_total",
      help: "Rounds whose EndRound this server sent its clients.",
      registers,
    });
    this.#lateness = new client.Histogram({
      name: "clicker_round_close_lateness_seconds",
      help: "From a round's deadline to its EndRound written to every client here.",
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.#fanout = new client.Histogram({
      name: "clicker_endround_fanout_seconds",
      help: "Time to write one EndRound to every client here.",
      buckets: FANOUT_BUCKETS,
      registers,
    });
    gauge("clicker_unrecorded_rounds", "Rounds ended but not yet recorded in the database.", () => {
      return deps.unrecorded();
    });
    gauge("clicker_players_online", "Players with a connection to this server.", () => {
      return deps.playersHere();
    });
    gauge("clicker_leader", "1 while this server ends the rounds, else 0.", () => {
      return deps.leader() ? 1 : 0;
    });
    counter(
      "clicker_leader_changes_total",
      "Times this server took or lost the lead.",
      [],
      (set) => {
        set({}, deps.leaderChanges());
      },
    );
    new client.Gauge({
      name: "clicker_dependency_up",
      help: "1 while the dependency answers, 0 while it does not.",
      labelNames: ["dependency"],
      registers,
      async collect() {
        const up = await deps.dependencies();
        for (const [dependency, ok] of Object.entries(up)) this.set({ dependency }, ok ? 1 : 0);
      },
    });
    counter("clicker_http_requests_total", "HTTP requests answered, by route and status.", [
      "route",
      "status",
    ], (set) => {
      for (const { route, status, count } of requests.values()) set({ route, status }, count);
    });
    this.#requestSeconds = new client.Histogram({
      name: "clicker_http_request_duration_seconds",
      help: "From a request's arrival to its answer.",
      registers,
    });
    gauge(
      "clicker_event_loop_lag_seconds",
      "The longest the event loop was held up since the last scrape.",
      () => loopLag.takeMax() / 1000,
    );

    function counter(
      name: string,
      help: string,
      labelNames: string[],
      read: (set: (labels: client.LabelValues<string>, value: number) => void) => void,
    ): void {
      new client.Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          read((labels, value) => this.inc(labels, value));
        },
      });
    }

    /** A counter of one label, whose values and their counts `read` returns. */
    function counterBy(
      name: string,
      help: string,
      label: string,
      read: () => Readonly<Record<string, number>>,
    ): void {
      counter(name, help, [label], (set) => {
        for (const [value, count] of Object.entries(read())) set({ [label]: value }, count);
      });
    }

    function gauge(name: string, help: string, read: () => number): void {
      new client.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    }
  }

  /** An HTTP request was answered: `route` is the matched pattern, never the raw path. */
  request(route: string, status: number, seconds: number): void {
    const key = `${route} ${status}`;
    const entry = this.#requests.get(key);
    if (entry !== undefined) entry.count++;
    else this.#requests.set(key, { route, status: String(status), count: 1 });
    this.#requestSeconds.observe(seconds);
  }

  /** A round's `EndRound` went to every client here, `lateness` s after its deadline. */
  roundEnded(latenessSeconds: number, fanoutSeconds: number): void {
    this.#rounds.inc();
    this.#lateness.observe(Math.max(0, latenessSeconds));
    this.#fanout.observe(fanoutSeconds);
  }

  /** Every family in Prometheus's text format. */
  render(): Promise<string> {
    return this.#registry.metrics();
  }

  /** Stops watching the event loop. */
  stop(): void {
    this.#loopLag.stop();
  }
}
