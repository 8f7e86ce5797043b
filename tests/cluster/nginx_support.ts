/**
 * Runs the operations guide's deployment for a test: reads the start line and the
 * nginx example out of "Running several servers", and runs Debian's nginx
 * as a process of its own, everything under a temporary folder (so it runs
 * as root without touching /var or /etc).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { waitFor } from "./cluster_support.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
/** Where Debian installs nginx. */
export const NGINX = "/usr/sbin/nginx";

/** Whether Debian's nginx is missing: the test is then skipped, or fails under CI. */
export const NGINX_MISSING = (() => {
  try {
    return !Deno.statSync(NGINX).isFile;
  } catch {
    return true;
  }
})();

/** What the operations guide says about running several servers. */
export interface Deployment {
  /** The ports the start line loops over, e.g. 8001, 8002, 8003. */
  readonly ports: readonly number[];
  /** The start line's environment, `$port` standing for the server's port. */
  readonly env: Readonly<Record<string, string>>;
  /** The start line's `deno run` flags. */
  readonly denoFlags: readonly string[];
  /** The nginx example, as written. */
  readonly nginx: string;
}

/** Reads the start line and the nginx example out of docs/operations.md's "Running several servers". */
export async function readDeployment(): Promise<Deployment> {
  const guide = await Deno.readTextFile(join(ROOT, "docs", "operations.md"));
  const start = guide.indexOf("## Running several servers");
  assert.ok(start >= 0, 'docs/operations.md has a section "Running several servers"');
  const section = guide.slice(start, guide.indexOf("\n## ", start + 1));
  const line = /^for port in ([\d ]+); do (.*?) deno run (.*?) main\.ts & done$/m.exec(section);
  assert.ok(
    line,
    "the section starts servers with `for port in …; do … deno run … main.ts & done`",
  );
  const env: Record<string, string> = {};
  for (const assignment of line[2].split(/\s+/)) {
    const [name, value] = assignment.split("=", 2);
    assert.ok(/^[A-Z_]+$/.test(name) && value !== undefined, `an assignment: ${assignment}`);
    env[name] = value;
  }
  const nginx = /```nginx\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(nginx, "the section has an nginx example");
  return {
    ports: line[1].trim().split(/\s+/).map(Number),
    env,
    denoFlags: line[3].split(/\s+/),
    nginx,
  };
}

/** The flags `deno task start` runs the server with. */
export async function startTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const flags = /deno run (.*?) main\.ts/.exec(config.tasks.start)?.[1];
  assert.ok(flags, "deno task start runs main.ts");
  return flags.split(/\s+/);
}

/**
 * The nginx example with the start line's ports replaced by `serverPorts`
 * (in order) and `listen 80` by 127.0.0.1:`port`; fails when the example
 * doesn't name them, so the guide can't drift from what is tested.
 */
export function withPorts(
  deployment: Deployment,
  serverPorts: readonly number[],
  port: number,
): string {
  let site = deployment.nginx;
  for (const [i, examplePort] of deployment.ports.entries()) {
    const before = site;
    site = site.replaceAll(`127.0.0.1:${examplePort};`, `127.0.0.1:${serverPorts[i]};`);
    assert.notEqual(site, before, `the example's upstream has server 127.0.0.1:${examplePort}`);
  }
  assert.ok(/^\s*listen 80;$/m.test(site), "the example listens on port 80");
  return site.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
}

/** A running nginx of the test's own, in its own folder. */
export interface Nginx {
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts nginx on `port` with `site` (an `http` block's contents), everything under a temp folder. */
export async function startNginx(site: string, port: number): Promise<Nginx> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-nginx-" });
  // Its workers run as nobody, and read nothing of it but what the master opened.
  await Deno.chmod(dir, 0o755);
  await Deno.writeTextFile(join(dir, "clicker.conf"), site);
  await Deno.writeTextFile(
    join(dir, "nginx.conf"),
    `worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/clicker.conf;
}
`,
  );
  const child = new Deno.Command(NGINX, {
    args: ["-e", `${dir}/error.log`, "-p", dir, "-c", `${dir}/nginx.conf`, "-g", "daemon off;"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  let exited = false;
  output.then(() => exited = true, () => exited = true);
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone already */ }
    await output;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await waitFor("nginx to answer", async () => {
      if (exited) {
        const { stderr } = await output;
        throw new Error(`nginx exited:\n${new TextDecoder().decode(stderr)}`);
      }
      try {
        const response = await fetch(url + "healthz", { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        return response.status === 200 || undefined;
      } catch {
        return undefined;
      }
    }, 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dir, stop };
}
