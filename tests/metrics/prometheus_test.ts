/**
 * A real Prometheus (Debian's `/usr/bin/prometheus`, its own process, its
 * storage in a temporary folder) scrapes three servers playing one game
 * every second, and its query API adds up what they report: the players
 * online across servers and the clicks counted. It loads `ops/alerts.yml`
 * too, and finds no alert firing while all is well.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { registerAndLogin } from "../support/accounts.ts";
import { dropPostgres, freshPostgres, freshRedis } from "../cluster/services.ts";
import { type ClusterClient, connect, startServers, waitFor } from "../cluster/cluster_support.ts";
import type { SpawnedServer } from "../support/spawn_server.ts";
import { freePorts } from "../support/free_ports.ts";

/** This file's Redis database index (each file that plays several servers has its own). */
const REDIS_DB = 12;
const ALERTS = join(import.meta.dirname!, "..", "..", "ops", "alerts.yml");

/** Prometheus running with `config`, until stopped. */
async function startPrometheus(dir: string, targets: string[]) {
  const [port] = freePorts(1);
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  evaluation_interval: 1s",
    "rule_files:",
    `  - ${JSON.stringify(ALERTS)}`,
    "scrape_configs:",
    "  - job_name: clicker",
    "    static_configs:",
    `      - targets: ${JSON.stringify(targets)}`,
  ].join("\n");
  await Deno.writeTextFile(join(dir, "prometheus.yml"), config + "\n");
  const child = new Deno.Command("/usr/bin/prometheus", {
    args: [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const pumped = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) log += chunk;
  })();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    log: () => log,
    async query(expr: string): Promise<number | undefined> {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = await response.json();
      const value = body?.data?.result?.[0]?.value?.[1];
      return value === undefined ? undefined : Number(value);
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone already */ }
      await child.status;
      await pumped;
    },
  };
}

Deno.test({
  name: "Prometheus scraping three servers adds up the players online and the clicks counted",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const redisUrl = await freshRedis(REDIS_DB);
  const databaseUrl = await freshPostgres("prometheus");
  const dir = await Deno.makeTempDir({ prefix: "clicker-prometheus-" });
  let servers: SpawnedServer[] = [];
  const clients: ClusterClient[] = [];
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  try {
    servers = await startServers(3, { redisUrl, databaseUrl, roundSeconds: 2 });
    let counted = 0;
    for (const [i, server] of servers.entries()) {
      const player = await registerAndLogin(server.url);
      const client = await connect(`p${i}`, server.url, player.token);
      clients.push(client);
      // Fewer than the cap a second: every one counts, on the server it was sent to.
      for (let click = 0; click <= i; click++) {
        const reply = await client.connection.invoke("Increment");
        if (reply.counted) counted++;
      }
    }
    assert.equal(counted, 6);
    const targets = servers.map((s) => new URL(s.url).host);
    prometheus = await startPrometheus(dir, targets);
    const p = prometheus;
    await waitFor("Prometheus to be ready", async () => {
      const ready = await fetch(`${p.base}/-/ready`).catch(() => undefined);
      await ready?.body?.cancel();
      return ready?.status === 200 || undefined;
    }, 30_000);
    await waitFor("three targets up", async () => {
      return await p.query('count(up{job="clicker"} == 1)') === 3 || undefined;
    }, 30_000);
    await waitFor("sum(clicker_players_online) to be 3", async () => {
      return await p.query("sum(clicker_players_online)") === 3 || undefined;
    }, 15_000);
    await waitFor("the clicks counted to add up", async () => {
      const sum = await p.query('sum(clicker_clicks_total{result="counted"})');
      return sum === counted || undefined;
    }, 15_000);
    assert.equal(await p.query('count(clicker_clicks_total{result="counted"} > 0)'), 3);
    assert.equal(await p.query("sum(clicker_leader)"), 1, "one leader");
    assert.equal(await p.query('min(clicker_dependency_up{dependency=~"Redis|PostgreSQL"})'), 1);
    assert.equal(await p.query('count(clicker_build_info{mode="cluster"})'), 3);

    const rules = await fetch(`${p.base}/api/v1/rules`).then((r) => r.json());
    const names = rules.data.groups.flatMap((g: { rules: { name: string }[] }) =>
      g.rules.map((r) => r.name)
    );
    assert.ok(names.includes("ClickerNoLeader"), JSON.stringify(names));
    const alerts = await fetch(`${p.base}/api/v1/alerts`).then((r) => r.json());
    assert.deepEqual(
      alerts.data.alerts.filter((a: { state: string }) => a.state === "firing"),
      [],
      "nothing fires while all is well",
    );
  } finally {
    await prometheus?.stop();
    await Promise.all(clients.map((client) => client.stop()));
    const codes = await Promise.all(servers.map((server) => server.stop()));
    await dropPostgres(databaseUrl);
    await Deno.remove(dir, { recursive: true });
    const outputs = servers.map((server) => server.output()).join("\n---\n");
    assert.deepEqual(codes, [0, 0, 0], outputs);
    // Closing Redis on a clean stop once logged "write EPIPE" as if Redis were down.
    assert.doesNotMatch(outputs, /EPIPE|ERROR/, "a clean stop logs no error");
  }
});
