/**
 * Real accounts for the project server without paying one Argon2 hash each.
 *
 * `deno run -A bench/project_fixture.ts --db=PATH --secret=S --players=N --out=FILE`
 * opens (and so creates and migrates) the project's database with the
 * project's own `openDatabase` (or, given `--database-url=postgres://…`
 * instead of `--db`, the database several servers share, with its own
 * `openPostgres`), inserts N players that share one password hash made by the
 * project's `hashPassword` (each with the look-alike key the project's
 * `usernameKey` gives its name, as registration stores it), signs a token for
 * each with the project's `signToken` and the server's `JWT_SECRET`, and
 * writes `{usernames, tokens, password}` to FILE for the load generators.
 *
 * It imports the project's database and auth code, so a change in those
 * modules' exports shows up here first.
 *
 * @module
 */

import { openDatabase } from "../src/db/open_database.ts";
import { openPostgres } from "../src/db/postgres/open_postgres.ts";
import { hashPassword } from "../src/auth/passwords.ts";
import { signToken } from "../src/auth/tokens.ts";
import { usernameKey } from "../src/auth/username_key.ts";

/** The password every bench player has. */
export const BENCH_PASSWORD = "Bench-password-1";

async function main(): Promise<void> {
  const flags = new Map(Deno.args.map((arg) => {
    const [name, ...rest] = arg.replace(/^--/, "").split("=");
    return [name, rest.join("=")] as const;
  }));
  const path = flags.get("db");
  const url = flags.get("database-url");
  const secret = flags.get("secret");
  const out = flags.get("out");
  const count = Number(flags.get("players") ?? "5000");
  if (!(path || url) || !secret || !out) {
    throw new TypeError("Needs --db or --database-url, --secret and --out");
  }

  const db = url ? await openPostgres(url) : await openDatabase(path!);
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const now = Date.now();
  const usernames = Array.from({ length: count }, (_, i) => `bench${String(i).padStart(5, "0")}`);
  const ids: number[] = [];
  await db.transaction().execute(async (trx) => {
    for (let from = 0; from < count; from += 500) {
      const rows = usernames.slice(from, from + 500).map((username) => ({
        username,
        username_key: usernameKey(username),
        email: `${username}@bench.invalid`,
        password_hash: passwordHash,
        created_at: now,
      }));
      const inserted = await trx.insertInto("players").values(rows).returning("id").execute();
      ids.push(...inserted.map((row) => row.id));
    }
  });
  await db.destroy();
  const tokens = await Promise.all(
    usernames.map(async (username, i) =>
      (await signToken(secret, { id: ids[i], username }, 120, now)).token
    ),
  );
  await Deno.writeTextFile(out, JSON.stringify({ usernames, tokens, password: BENCH_PASSWORD }));
}

if (import.meta.main) await main();
