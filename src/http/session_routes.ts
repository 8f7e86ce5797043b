/**
 * The sign-in cookie's routes under `/api/account`: `GET /session` tells a
 * page whether its cookie (or the token it sends) is a valid session, so a
 * new tab starts signed in without holding the token; `GET` and
 * `POST /logout` clear the cookie. Login, which sets it, is in
 * `account_routes.ts`.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { winsOf } from "../db/accounts.ts";
import type { TokenSecret } from "../auth/tokens.ts";
import type { MessageBody, SessionInfo } from "../hub/wire.ts";
import { authenticateRequest, fromTrustedPage } from "./request_auth.ts";
import { clearSessionCookie, policyOf } from "./session_cookie.ts";

/** What {@linkcode sessionRoutes} needs. */
export interface SessionDeps {
  readonly db: Kysely<Database>;
  readonly secret: TokenSecret;
}

/** `GET /session`, `GET /logout` and `POST /logout`. */
export function sessionRoutes(deps: SessionDeps): Hono {
  const app = new Hono();

  app.get("/session", async (c) => {
    // Never kept by a cache: the answer is about this browser's cookie.
    c.header("Cache-Control", "no-store");
    const auth = await authenticateRequest(c, deps.secret, {
      corsOrigins: policyOf(c).corsOrigins,
    });
    if (!auth.ok) return c.json({ message: auth.message } satisfies MessageBody, auth.status);
    if (await winsOf(deps.db, auth.user.id) === undefined) {
      return c.json({ message: "Unknown player" } satisfies MessageBody, 401);
    }
    const { username, expiresAt } = auth.user;
    return c.json({ username, expiresAt } satisfies SessionInfo);
  });

  const logout = (c: Context) => {
    // Another site's page may not sign the player out either.
    if (!fromTrustedPage(c, policyOf(c).corsOrigins)) {
      return c.json({ message: "Not allowed from this page's origin" } satisfies MessageBody, 403);
    }
    clearSessionCookie(c);
    return c.json({ message: "Logged out" } satisfies MessageBody);
  };
  app.get("/logout", logout);
  app.post("/logout", logout);

  return app;
}
