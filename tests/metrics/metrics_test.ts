import assert from "node:assert/strict";
import { Metrics, type MetricsDeps } from "../../src/metrics/metrics.ts";
import { HubCounts } from "../../src/metrics/hub_counts.ts";

function metricsWith(
  overrides: Partial<MetricsDeps> = {},
): { metrics: Metrics; counts: HubCounts } {
  const counts = new HubCounts();
  const metrics = new Metrics({
    serverId: "web-1",
    version: "1.0.0",
    mode: "cluster",
    counts,
    connections: () => [
      { socket: {}, protocol: { name: "json" } },
      { socket: { transport: "longPolling" }, protocol: { name: "json" } },
      { socket: {}, protocol: { name: "messagepack" } },
      { socket: {}, protocol: { name: "json" } },
    ],
    playersHere: () => 3,
    unrecorded: () => 2,
    leader: () => true,
    leaderChanges: () => 1,
    dependencies: () => Promise.resolve({ Redis: true, PostgreSQL: false }),
    ...overrides,
  });
  return { metrics, counts };
}

/** The samples of `text` without comments, as `name{labels}` to value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

Deno.test("Metrics reads the hub's counts and the server's state when scraped", async () => {
  const { metrics, counts } = metricsWith();
  try {
    counts.clicksCounted = 7;
    counts.clicksCapped = 2;
    counts.messagesIn = 10;
    counts.messagesOut = 30;
    counts.connectionsOpened = 5;
    counts.closed("gone");
    counts.closed("gone");
    counts.closed("server-shutting-down");
    counts.purchasesBought = 1;
    const got = samples(await metrics.render());
    const expected: Record<string, number> = {
      'clicker_build_info{version="1.0.0",server_id="web-1",mode="cluster"}': 1,
      'clicker_connections{transport="webSockets",protocol="json"}': 2,
      'clicker_connections{transport="longPolling",protocol="json"}': 1,
      'clicker_connections{transport="webSockets",protocol="messagepack"}': 1,
      "clicker_connections_opened_total": 5,
      'clicker_connections_closed_total{reason="gone"}': 2,
      'clicker_connections_closed_total{reason="server-shutting-down"}': 1,
      'clicker_hub_messages_total{direction="in"}': 10,
      'clicker_hub_messages_total{direction="out"}': 30,
      'clicker_clicks_total{result="counted"}': 7,
      'clicker_clicks_total{result="capped"}': 2,
      'clicker_clicks_total{result="refused"}': 0,
      'clicker_purchases_total{result="bought"}': 1,
      "clicker_unrecorded_rounds": 2,
      "clicker_players_online": 3,
      "clicker_leader": 1,
      "clicker_leader_changes_total": 1,
      'clicker_dependency_up{dependency="Redis"}': 1,
      'clicker_dependency_up{dependency="PostgreSQL"}': 0,
    };
    for (const [sample, value] of Object.entries(expected)) {
      assert.equal(got.get(sample), value, sample);
    }
    assert.ok(got.has("clicker_event_loop_lag_seconds"));
    assert.ok(![...got.keys()].some((name) => name.startsWith("nodejs_eventloop_lag")));
    assert.ok(got.has("process_cpu_seconds_total"), "the default process metrics");
  } finally {
    metrics.stop();
  }
});

Deno.test("Metrics reads the counts anew on each scrape: a counter moves, a gauge follows", async () => {
  let players = 1;
  const { metrics, counts } = metricsWith({ playersHere: () => players });
  try {
    counts.clicksCounted = 1;
    await metrics.render();
    counts.clicksCounted = 4;
    players = 0;
    const got = samples(await metrics.render());
    assert.equal(got.get('clicker_clicks_total{result="counted"}'), 4);
    assert.equal(got.get("clicker_players_online"), 0);
  } finally {
    metrics.stop();
  }
});

Deno.test("Metrics.roundEnded() and request() fill the round and HTTP families", async () => {
  const { metrics } = metricsWith();
  try {
    metrics.roundEnded(0.012, 0.0004);
    metrics.roundEnded(-0.001, 0.0001); // a clock step back reads as on time
    metrics.request("/api/rounds", 200, 0.003);
    metrics.request("/api/rounds", 200, 0.004);
    metrics.request("/*", 404, 0.001);
    const got = samples(await metrics.render());
    assert.equal(got.get("clicker_rounds_total"), 2);
    assert.equal(got.get("clicker_round_close_lateness_seconds_count"), 2);
    assert.equal(got.get('clicker_round_close_lateness_seconds_bucket{le="0.005"}'), 1);
    assert.equal(got.get('clicker_round_close_lateness_seconds_bucket{le="0.025"}'), 2);
    assert.equal(got.get("clicker_endround_fanout_seconds_count"), 2);
    assert.equal(got.get('clicker_http_requests_total{route="/api/rounds",status="200"}'), 2);
    assert.equal(got.get('clicker_http_requests_total{route="/*",status="404"}'), 1);
    assert.equal(got.get("clicker_http_request_duration_seconds_count"), 3);
  } finally {
    metrics.stop();
  }
});

Deno.test("Metrics leaves out the default metrics that never move under Deno", async () => {
  const { metrics } = metricsWith();
  try {
    const text = await metrics.render();
    assert.doesNotMatch(text, /^nodejs_active_handles/m);
    assert.doesNotMatch(text, /^nodejs_gc_duration_seconds/m);
    assert.doesNotMatch(text, /_total gauge$/m);
  } finally {
    metrics.stop();
  }
});

Deno.test("Metrics sees a blocked event loop in clicker_event_loop_lag_seconds, once", async () => {
  const { metrics } = metricsWith();
  try {
    await metrics.render();
    // Held up 200 ms: the lag timer, due within 100 ms, runs at least 100 ms late.
    const until = performance.now() + 200;
    while (performance.now() < until) {
      // Busy, as a long synchronous task would be.
    }
    await new Promise((resolve) => setTimeout(resolve, 110));
    const lag = samples(await metrics.render()).get("clicker_event_loop_lag_seconds")!;
    assert.ok(lag >= 0.1 && lag < 1, `lag ${lag} s`);
    const next = samples(await metrics.render()).get("clicker_event_loop_lag_seconds")!;
    assert.ok(next < lag, `the next scrape starts over: ${next} s`);
  } finally {
    metrics.stop();
  }
});
