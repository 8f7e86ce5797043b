/**
 * Registration, login and token renewal: the `/api/account` routes. What
 * limits the attempts that cost a password hash (counters per address and
 * username, the line hashes wait in) is `auth/account_limits.ts`; here its
 * refusals become 429 with `Retry-After`, or 503 when the line is full.
 * Unknown users and wrong passwords get the same answer in about the same
 * time.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import type { Kysely } from "kysely";
import type { Database, Player } from "../db/schema.ts";
import { createPlayer, findPlayerByUsername, findTaken, winsOf } from "../db/accounts.ts";
import {
  type HashParameters,
  hashPassword,
  OWASP,
  verifyNothing,
  verifyPassword,
} from "../auth/passwords.ts";
import { signToken, type TokenSecret } from "../auth/tokens.ts";
import { checkLogin, checkRegistration } from "../auth/validation.ts";
import { type AccountLimitOptions, AccountLimits } from "../auth/account_limits.ts";
import { readJson } from "./json_body.ts";
import { clientAddress } from "./client_address.ts";
import { policyOf, setSessionCookie } from "./session_cookie.ts";
import { authenticateRequest } from "./request_auth.ts";

/** The password functions the routes use. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** Spends the time of a check, for unknown users. */
  verifyNothing(password: string): Promise<false>;
}

/** Argon2id with `params` for new hashes; a check reads the cost from the hash it checks. */
function argon2(params: HashParameters): PasswordHasher {
  return {
    hash: (password) => hashPassword(password, params),
    verify: verifyPassword,
    verifyNothing: (password) => verifyNothing(password, params),
  };
}

/** What {@linkcode accountRoutes} needs; the limits' options are {@linkcode AccountLimitOptions}. */
export interface AccountDeps extends AccountLimitOptions {
  readonly db: Kysely<Database>;
  readonly secret: TokenSecret;
  readonly tokenTtlMinutes: number;
  readonly trustProxy: boolean;
  /**
   * The Argon2id cost of new hashes (default {@linkcode OWASP}). Code, not
   * configuration: tests that register many players pass a cheap one.
   */
  readonly hashParameters?: HashParameters;
  /** Hashes and checks passwords (default: Argon2id at `hashParameters`); tests may gate it. */
  readonly passwords?: PasswordHasher;
  /** A player renewed their token, now valid until `expiresAt` (epoch ms): the hub's hook. */
  readonly renewed?: (playerId: number, expiresAt: number) => void;
}

/** The `/api/account` routes. */
export function accountRoutes(deps: AccountDeps): Hono {
  const now = deps.now ?? Date.now;
  const passwords = deps.passwords ?? argon2(deps.hashParameters ?? OWASP);
  const limits = new AccountLimits({ ...deps, now });
  const { registrations, hashing } = limits;
  const app = new Hono();

  /**
   * Holds a login `delayMs` (before the hash line, so a slowed login holds
   * no place in it), then checks its password there: `ok` is `undefined`
   * when the client left during the wait or the line had no room.
   */
  async function checkPassword(
    username: string,
    password: string,
    address: string,
    delayMs: number,
    signal: AbortSignal,
  ): Promise<{ player: Player | undefined; ok: boolean | undefined }> {
    if (delayMs > 0 && !await sleep(delayMs, signal)) return { player: undefined, ok: undefined };
    const player = await findPlayerByUsername(deps.db, username);
    const checking = hashing.tryRun(
      address,
      () =>
        player
          ? passwords.verify(password, player.password_hash)
          : passwords.verifyNothing(password),
    );
    return { player, ok: checking && await checking };
  }

  app.post("/register", async (c) => {
    const address = clientAddress(c, deps.trustProxy);
    // An early answer that spares reading the body; the check that counts comes below.
    const early = await registrations.retryAfter(address, now());
    if (early > 0) return tooManyRegistrations(c, early);
    const checked = checkRegistration(await readJson(c));
    if (!checked.ok) return c.json({ message: checked.message }, 400);
    const { username, email, password } = checked.value;
    const taken = await findTaken(deps.db, { username, email });
    if (taken) return alreadyTaken(c, taken);

    const t = now();
    const wait = await registrations.take(address, t);
    if (wait > 0) return tooManyRegistrations(c, wait);
    const hashed = hashing.tryRun(address, () => passwords.hash(password));
    if (!hashed) {
      await registrations.refund(address, t);
      return busy(c);
    }
    const created = await createPlayer(deps.db, {
      username,
      email,
      passwordHash: await hashed,
      createdAt: now(),
    });
    // Taken by a racing registration: the hash was spent, so the attempt stays counted.
    if (!created.ok) return alreadyTaken(c, created.taken);
    return c.json({ message: "Registration successful" });
  });

  app.post("/login", async (c) => {
    const checked = checkLogin(await readJson(c));
    if (!checked.ok) return c.json({ message: checked.message }, 400);
    const { username, password } = checked.value;
    const address = clientAddress(c, deps.trustProxy);
    const login = await limits.admitLogin(username, address, now());
    if (!login.ok) {
      c.header("Retry-After", String(Math.ceil(login.retryAfterMs / 1000)));
      const message = login.reason === "at-once"
        ? "Too many logins at once from this address; try again later"
        : "Too many failed logins; try again later";
      return c.json({ message }, 429);
    }

    let outcome: { player: Player | undefined; ok: boolean | undefined };
    try {
      outcome = await checkPassword(username, password, address, login.delayMs, c.req.raw.signal);
    } catch (error) {
      login.failed();
      throw error;
    }
    const { player, ok } = outcome;
    if (ok === undefined) {
      await login.refund();
      return busy(c);
    }
    if (!ok || !player) {
      login.failed();
      return c.json({ message: "Invalid username or password" }, 401);
    }
    await login.succeeded();
    const { token, expiresAt } = await signToken(
      deps.secret,
      { id: player.id, username: player.username },
      deps.tokenTtlMinutes,
      now(),
    );
    // Signed in twice over: the token for clients that send it, the cookie for browsers.
    setSessionCookie(c, token, expiresAt);
    return c.json({ token, username: player.username, expiresAt });
  });

  // A fresh token for the bearer of a valid one (header or sign-in cookie),
  // so a session lasts as long as its player plays: the page asks ahead of
  // expiry, and the player's open hub connections then expire with the new token.
  app.post("/renew", async (c) => {
    const auth = await authenticateRequest(c, deps.secret, {
      corsOrigins: policyOf(c).corsOrigins,
    });
    if (!auth.ok) return c.json({ message: auth.message }, auth.status);
    const { user } = auth;
    if (await winsOf(deps.db, user.id) === undefined) {
      return c.json({ message: "Unknown player" }, 401);
    }
    const renewed = await signToken(
      deps.secret,
      { id: user.id, username: user.username },
      deps.tokenTtlMinutes,
      now(),
    );
    deps.renewed?.(user.id, renewed.expiresAt);
    setSessionCookie(c, renewed.token, renewed.expiresAt);
    return c.json({ token: renewed.token, username: user.username, expiresAt: renewed.expiresAt });
  });

  return app;
}

function tooManyRegistrations(c: Context, waitMs: number): Response {
  c.header("Retry-After", String(Math.ceil(waitMs / 1000)));
  return c.json({ message: "Too many registrations from this address; try again later" }, 429);
}

function alreadyTaken(c: Context, taken: "username" | "email"): Response {
  return c.json({ message: `That ${taken} is already taken` }, 409);
}

// The line drains within about a second on any machine the game runs on.
function busy(c: Context): Response {
  c.header("Retry-After", "1");
  return c.json({ message: "The server is busy; try again in a moment" }, 503);
}

/** Waits `ms`; resolves `false` early when `signal` aborts (the client left). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
