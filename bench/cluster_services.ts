/**
 * Redis and PostgreSQL for the clustered part: started by `.ci/services.sh
 * start` in a folder of the bench run's own, on free ports, and stopped with
 * it at the end of the run; a Redis database index emptied for each session;
 * a PostgreSQL database for each session, copied from a template that holds
 * the bench's accounts, and dropped afterwards. Redis and PostgreSQL are
 * driven with their own command-line clients (`redis-cli`, `psql` as the
 * `postgres` role, which `.ci/services.sh` lets in without a password).
 *
 * @module
 */

import { join } from "node:path";
import { ROOT } from "./processes.ts";

/** Where the shared services listen, as `.ci/services.sh` prints them. */
export interface Services {
  /** `redis://127.0.0.1:PORT`, no database index. */
  readonly redisUrl: string;
  /** `postgres://clicker@127.0.0.1:PORT/clicker`. */
  readonly databaseUrl: string;
}

async function run(program: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(program, { args, stdin: "null" })
    .output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(
      `${program} ${args.join(" ")} failed (exit ${code}):\n` +
        `${text}${new TextDecoder().decode(stderr)}`,
    );
  }
  return text;
}

/** A port nothing listens on now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The folder of the services this run started, until they are stopped. */
let startedIn: string | undefined;

/**
 * Starts Redis and PostgreSQL on free ports, in a temporary folder of their
 * own (see {@linkcode stopServicesSync}), and returns their URLs.
 */
export async function startServices(): Promise<Services> {
  const dir = await Deno.makeTempDir({ prefix: "clicker-bench-services-" });
  // PostgreSQL runs as its own user, which must reach its data folder.
  await Deno.chmod(dir, 0o755);
  startedIn = dir;
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [join(ROOT, ".ci", "services.sh"), "start", dir],
    env: { REDIS_PORT: String(freePort()), PG_PORT: String(freePort()) },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(
      `.ci/services.sh start failed (exit ${code}):\n${text}${new TextDecoder().decode(stderr)}`,
    );
  }
  const value = (name: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
    if (!line) throw new Error(`.ci/services.sh printed no ${name}:\n${text}`);
    return line.slice(name.length + 1).trim();
  };
  return { redisUrl: value("REDIS_URL"), databaseUrl: value("DATABASE_URL") };
}

function redisCli(services: Services, args: string[]): Promise<string> {
  const { hostname, port } = new URL(services.redisUrl);
  return run("redis-cli", ["-h", hostname, "-p", port || "6379", ...args]);
}

/** Stops what {@linkcode startServices} started, if anything: the bench leaves no daemon behind. */
export function stopServicesSync(): void {
  const dir = startedIn;
  if (dir === undefined) return;
  startedIn = undefined;
  new Deno.Command("bash", { args: [join(ROOT, ".ci", "services.sh"), "stop", dir], stdin: "null" })
    .outputSync();
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    // PostgreSQL's files may belong to its own user; the folder is temporary anyway.
  }
}

/** The process id of `redis-server`, from `INFO server`. */
export async function redisPid(services: Services): Promise<number> {
  const info = await redisCli(services, ["info", "server"]);
  const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
  if (!(pid > 0)) throw new Error(`Cannot read Redis's process_id from INFO:\n${info}`);
  return pid;
}

/** Empties Redis database `index` and returns the URL that names it. */
export async function freshRedis(services: Services, index: number): Promise<string> {
  await redisCli(services, ["-n", String(index), "flushdb"]);
  return `${services.redisUrl}/${index}`;
}

/**
 * The PostgreSQL databases of one bench run, all named `bench_<run>_<n>`, so
 * that the run drops only its own.
 */
export class BenchDatabases {
  readonly #services: Services;
  readonly #prefix = `bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
  readonly #made = new Set<string>();
  #count = 0;

  constructor(services: Services) {
    this.#services = services;
  }

  #psqlArgs(statement: string): string[] {
    const { hostname, port } = new URL(this.#services.databaseUrl);
    const where = ["-h", hostname, "-p", port || "5432", "-U", "postgres", "-d", "postgres"];
    return [...where, "-v", "ON_ERROR_STOP=1", "-qAtc", statement];
  }

  #url(name: string): string {
    const url = new URL(this.#services.databaseUrl);
    url.pathname = `/${name}`;
    return url.href;
  }

  /** A new database owned by `clicker`, empty or a copy of `template`'s; its URL. */
  async create(template?: string): Promise<string> {
    const name = `${this.#prefix}_${++this.#count}`;
    const from = template === undefined ? "" : ` template ${new URL(template).pathname.slice(1)}`;
    await run("psql", this.#psqlArgs(`create database ${name}${from} owner clicker`));
    this.#made.add(name);
    return this.#url(name);
  }

  /** Drops a database made by {@linkcode create}, closing what is still connected to it. */
  async drop(url: string): Promise<void> {
    const name = new URL(url).pathname.slice(1);
    if (!this.#made.delete(name)) throw new RangeError(`Not a database of this run: ${name}`);
    await run("psql", this.#psqlArgs(`drop database if exists ${name} with (force)`));
  }

  /** Drops every database still left, synchronously: for a run that exits at once. */
  dropAllSync(): void {
    for (const name of this.#made) {
      try {
        new Deno.Command("psql", {
          args: this.#psqlArgs(`drop database if exists ${name} with (force)`),
          stdout: "null",
          stderr: "null",
        }).outputSync();
      } catch { /* psql gone: nothing more to do */ }
    }
    this.#made.clear();
  }
}
