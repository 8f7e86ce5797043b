/**
 * The metrics and alerts against Prometheus's own checker (`promtool`, from
 * Debian's prometheus package): a played game's `/metrics` from the real
 * server (`main.ts` in a child process), and `ops/alerts.yml` with its unit
 * tests. Also the two ways to keep `/metrics` private: a bearer token, and a
 * port of its own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import * as signalR from "@microsoft/signalr";
import { spawnServer } from "../support/spawn_server.ts";
import { registerAndLogin } from "../support/accounts.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const TOKEN = "scrape-token-0123456789";

/** Runs promtool with `args`, `input` on its stdin; resolves with its exit code and output. */
async function promtool(args: string[], input?: string): Promise<{ code: number; text: string }> {
  const child = new Deno.Command("promtool", {
    args,
    cwd: join(ROOT, "ops"),
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, text: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** The value of the sample `name` (labels included, as written) in `text`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test("ops/alerts.yml passes promtool check rules and its unit tests", async () => {
  const checked = await promtool(["check", "rules", "alerts.yml"]);
  assert.equal(checked.code, 0, checked.text);
  assert.match(checked.text, /SUCCESS: 7 rules found/);
  const tested = await promtool(["test", "rules", "alerts_test.yml"]);
  assert.equal(tested.code, 0, tested.text);
});

Deno.test("a played game's /metrics passes promtool check metrics and counts what was played", async () => {
  const server = await spawnServer({ roundSeconds: 1, env: { METRICS_TOKEN: TOKEN } });
  let text = "";
  let counted = 0;
  let capped = 0;
  try {
    const player = await registerAndLogin(server.url);
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(server.url + "game", {
        accessTokenFactory: () => player.token,
        transport: signalR.HttpTransportType.LongPolling,
      })
      .configureLogging(signalR.LogLevel.None)
      .build();
    const ended = Promise.withResolvers<void>();
    connection.on("EndRound", () => ended.resolve());
    for (const method of ["GameInfo", "PlayerCount", "Standing", "Throttled"]) {
      connection.on(method, () => {});
    }
    await connection.start();
    // More than the cap of 25 a second: some count, the rest are capped.
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => connection.invoke<{ counted: boolean }>("Increment")),
    );
    counted = replies.filter((r) => r.counted).length;
    capped = replies.length - counted;
    await ended.promise;

    const refused = await fetch(server.url + "metrics");
    await refused.body?.cancel();
    assert.equal(refused.status, 401, "no token, no metrics");
    const response = await fetch(server.url + "Metrics", {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    text = await response.text();
    await connection.stop();
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
  const checked = await promtool(["check", "metrics"], text);
  assert.equal(checked.code, 0, checked.text);
  assert.ok(counted > 0 && capped > 0, `${counted} counted, ${capped} capped`);
  assert.equal(sample(text, 'clicker_clicks_total{result="counted"}'), counted);
  assert.equal(sample(text, 'clicker_clicks_total{result="capped"}'), capped);
  assert.equal(sample(text, 'clicker_connections{transport="longPolling",protocol="json"}'), 1);
  assert.equal(sample(text, "clicker_players_online"), 1);
  assert.equal(sample(text, "clicker_leader"), 1);
  assert.equal(sample(text, 'clicker_dependency_up{dependency="SQLite"}'), 1);
  assert.ok((sample(text, "clicker_rounds_total") ?? 0) >= 1);
  assert.ok((sample(text, "clicker_round_close_lateness_seconds_count") ?? 0) >= 1);
  assert.ok(
    (sample(text, 'clicker_http_requests_total{route="/game/negotiate",status="200"}') ?? 0) >= 1,
  );
  assert.equal(text.includes(TOKEN), false);
});

Deno.test("METRICS_PORT serves /metrics on its own port, and the public port answers 404", async () => {
  const server = await spawnServer({ env: { METRICS_PORT: "0" } });
  try {
    const metricsUrl = /metricsUrl=(http:\/\/\S+)/.exec(server.output())?.[1];
    assert.ok(metricsUrl !== undefined, server.output());
    assert.notEqual(new URL(metricsUrl).port, String(server.port));
    const own = await fetch(metricsUrl + "metrics");
    assert.equal(own.status, 200);
    assert.match(await own.text(), /^clicker_build_info\{version="1\.0\.0",/m);
    const elsewhere = await fetch(metricsUrl + "healthz");
    await elsewhere.body?.cancel();
    assert.equal(elsewhere.status, 404, "nothing but /metrics there");
    const main = await fetch(server.url + "metrics");
    await main.body?.cancel();
    assert.equal(main.status, 404, "never the web page");
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
});
