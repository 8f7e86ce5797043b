/**
 * The servers the bench measures: the project (its accounts made once by
 * `project_fixture.ts`, a fresh copy of the database per session) and the
 * baseline, and the limits the speed scenarios raise.
 *
 * @module
 */

import { join } from "node:path";
import { ROOT } from "./processes.ts";
import type { Limits, Target } from "./session.ts";

/**
 * The project's per-client limits moved out of the way, for the scenarios
 * that measure speed: the floods send far more than a player may, and the 20
 * logins come from one address at once.
 */
export const RAISED: Readonly<Record<string, string>> = {
  MAX_CLICKS_PER_SECOND: "1000000000",
  MAX_MESSAGES_PER_SECOND: "1000000000",
  MAX_BYTES_PER_SECOND: "1000000000",
  HASH_QUEUE: "64",
  HASH_QUEUE_PER_ADDRESS: "64",
};

/**
 * The V8 flags `deno task start` gives the server (read from `deno.json`), as
 * `DENO_V8_FLAGS`: the bench measures the project as operators run it.
 */
export const SERVER_V8_FLAGS: string = (() => {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  const start = String(config.tasks?.start ?? "");
  return /--v8-flags=(\S+)/.exec(start)?.[1] ?? "";
})();

/** A `JWT_SECRET` for one run: 48 random letters and digits. */
export function randomSecret(length = 48): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % 62])
    .join("");
}

/** Where `project_fixture.ts` writes its players: a SQLite file or a PostgreSQL URL. */
export type FixtureDatabase = { readonly path: string } | { readonly url: string };

/**
 * Runs `project_fixture.ts`: `players` accounts in `database`, their tokens
 * signed with `secret`, written to the accounts file `out`.
 */
export async function makeAccounts(
  database: FixtureDatabase,
  options: { secret: string; players: number; out: string },
): Promise<void> {
  const where = "path" in database ? `--db=${database.path}` : `--database-url=${database.url}`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "bench/project_fixture.ts",
      where,
      `--secret=${options.secret}`,
      `--players=${options.players}`,
      `--out=${options.out}`,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`project_fixture failed:\n${new TextDecoder().decode(stderr)}`);
}

/** Makes `players` accounts and returns the project target (SQLite, one process). */
export async function projectTarget(tmp: string, secret: string, players: number): Promise<Target> {
  const template = join(tmp, "template.db");
  const accounts = join(tmp, "accounts.json");
  await makeAccounts({ path: template }, { secret, players, out: accounts });
  let session = 0;
  return {
    name: "project",
    script: "main.ts",
    accounts,
    async env(roundSeconds: number, limits: Limits) {
      const path = join(tmp, `session-${++session}.db`);
      await Deno.copyFile(template, path);
      const env: Record<string, string> = {
        PORT: "0",
        HOST: "127.0.0.1",
        DENO_V8_FLAGS: SERVER_V8_FLAGS,
        DATABASE_PATH: path,
        ROUND_SECONDS: String(roundSeconds),
        JWT_SECRET: secret,
        // One process on SQLite, even from a shell that exported a cluster's variables.
        REDIS_URL: "",
        DATABASE_URL: "",
      };
      return limits === "default" ? env : { ...env, ...RAISED };
    },
  };
}

/** The baseline server; `name` differs when it stands in for the project. */
export function baselineTarget(name = "baseline"): Target {
  return {
    name,
    script: "bench/baseline_server.ts",
    env: (roundSeconds) =>
      Promise.resolve({ PORT: "0", HOST: "127.0.0.1", ROUND_SECONDS: String(roundSeconds) }),
  };
}
