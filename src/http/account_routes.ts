/**
 * Registration and login.
 *
 * Failed logins are counted per username and per client address; past the
 * limit, logins answer 429 with `Retry-After`. Unknown users and wrong
 * passwords get the same answer in about the same time.
 *
 * @module
 */

import { Hono } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { createPlayer, findPlayerByUsername } from "../db/accounts.ts";
import { hashPassword, verifyNothing, verifyPassword } from "../auth/passwords.ts";
import { signToken, type TokenSecret } from "../auth/tokens.ts";
import { checkLogin, checkRegistration } from "../auth/validation.ts";
import { AttemptLimit } from "../auth/attempt_limit.ts";
import { defaultHashConcurrency, TaskLimit } from "../auth/task_limit.ts";
import { readJson } from "./json_body.ts";
import { clientAddress } from "./client_address.ts";

const FIFTEEN_MINUTES = 15 * 60_000;
const HOUR = 60 * 60_000;

/** What {@linkcode accountRoutes} needs. */
export interface AccountDeps {
  readonly db: Kysely<Database>;
  readonly secret: TokenSecret;
  readonly tokenTtlMinutes: number;
  /** Failed logins per username per 15 minutes (an address gets 4×). */
  readonly loginAttempts: number;
  /** Successful registrations per address per hour. */
  readonly registrationsPerHour: number;
  readonly trustProxy: boolean;
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** Password hashes running at once (default: one fewer than the cores, at least 1). */
  readonly hashConcurrency?: number;
}

/** The `/api/account` routes. */
export function accountRoutes(deps: AccountDeps): Hono {
  const now = deps.now ?? Date.now;
  const failedByName = new AttemptLimit({ limit: deps.loginAttempts, windowMs: FIFTEEN_MINUTES });
  const failedByAddress = new AttemptLimit({
    limit: deps.loginAttempts * 4,
    windowMs: FIFTEEN_MINUTES,
  });
  const registrations = new AttemptLimit({ limit: deps.registrationsPerHour, windowMs: HOUR });
  const hashing = new TaskLimit(deps.hashConcurrency ?? defaultHashConcurrency());
  const app = new Hono();

  app.post("/register", async (c) => {
    const address = clientAddress(c, deps.trustProxy);
    const wait = registrations.retryAfter(address, now());
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      return c.json({ message: "Too many registrations from this address; try again later" }, 429);
    }
    const checked = checkRegistration(await readJson(c));
    if (!checked.ok) return c.json({ message: checked.message }, 400);
    const { username, email, password } = checked.value;
    const passwordHash = await hashing.run(() => hashPassword(password));
    const created = await createPlayer(deps.db, {
      username,
      email,
      passwordHash,
      createdAt: now(),
    });
    if (!created.ok) {
      return c.json({ message: `That ${created.taken} is already taken` }, 409);
    }
    registrations.record(address, now());
    return c.json({ message: "Registration successful" });
  });

  app.post("/login", async (c) => {
    const checked = checkLogin(await readJson(c));
    if (!checked.ok) return c.json({ message: checked.message }, 400);
    const { username, password } = checked.value;
    const name = username.toLowerCase();
    const address = clientAddress(c, deps.trustProxy);
    const t = now();
    const wait = Math.max(failedByName.retryAfter(name, t), failedByAddress.retryAfter(address, t));
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      return c.json({ message: "Too many failed logins; try again later" }, 429);
    }
    const player = await findPlayerByUsername(deps.db, username);
    const ok = await hashing.run(() =>
      player ? verifyPassword(password, player.password_hash) : verifyNothing(password)
    );
    if (!player || !ok) {
      failedByName.record(name, now());
      failedByAddress.record(address, now());
      return c.json({ message: "Invalid username or password" }, 401);
    }
    failedByName.clear(name);
    const { token, expiresAt } = await signToken(
      deps.secret,
      { id: player.id, username: player.username },
      deps.tokenTtlMinutes,
      now(),
    );
    return c.json({ token, username: player.username, expiresAt });
  });

  return app;
}
