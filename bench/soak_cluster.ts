/**
 * The soak's clustered target (`--cluster`): Redis and PostgreSQL of its own,
 * started by `.ci/services.sh start DIR` on free ports in a temporary folder
 * and stopped at the end, and three servers (`main.ts` with `REDIS_URL` and
 * `DATABASE_URL`, otherwise default settings but a free port on 127.0.0.1)
 * playing one game. The first starts alone, as an operator would, then the
 * other two.
 *
 * @module
 */

import { join } from "node:path";
import { ROOT, type ServerProcess, startServer } from "./processes.ts";
import { readRecorded } from "./soak_database.ts";
import type { SoakTarget } from "./soak_target.ts";
import { openPostgres } from "../src/db/postgres/open_postgres.ts";

const SERVERS = 3;

/** A port nothing listens on now (the kernel's pick for port 0). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function services(command: "start" | "stop", dir: string, ports: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [join(ROOT, ".ci", "services.sh"), command, dir],
    env: ports,
    stdin: "null",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(
      `.ci/services.sh ${command} failed (exit ${code}):\n${text}${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
  return text;
}

/** Starts Redis, PostgreSQL and three servers. */
export async function startCluster(): Promise<SoakTarget> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-soak-services-" });
  // PostgreSQL runs as its own user, which must reach its folder inside this one.
  await Deno.chmod(dir, 0o755);
  const ports = { REDIS_PORT: String(freePort()), PG_PORT: String(freePort()) };
  const servers: ServerProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stopServers = () => stopping ??= Promise.all(servers.map((s) => s.stop())).then(() => {});
  try {
    const text = await services("start", dir, ports);
    const value = (name: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
      if (!line) throw new Error(`.ci/services.sh printed no ${name}:\n${text}`);
      return line.slice(name.length + 1).trim();
    };
    const env = {
      PORT: "0",
      HOST: "127.0.0.1",
      REDIS_URL: value("REDIS_URL"),
      DATABASE_URL: value("DATABASE_URL"),
    };
    servers.push(await startServer("main.ts", { ...env, SERVER_ID: "soak-1" }));
    servers.push(
      ...await Promise.all(
        Array.from(
          { length: SERVERS - 1 },
          (_, i) => startServer("main.ts", { ...env, SERVER_ID: `soak-${i + 2}` }),
        ),
      ),
    );
    return {
      description: `${SERVERS} servers ${
        servers.map((s) => `${s.base} (pid ${s.pid})`).join(", ")
      }` +
        ` on Redis :${ports.REDIS_PORT} and PostgreSQL :${ports.PG_PORT}`,
      servers: servers.map((s) => ({ base: s.base, pid: s.pid })),
      stop: stopServers,
      recorded: () => readRecorded(() => openPostgres(env.DATABASE_URL)),
      async dispose() {
        await stopServers();
        await services("stop", dir, ports);
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (error) {
    await stopServers();
    await services("stop", dir, ports).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}
