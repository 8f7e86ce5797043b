/**
 * The hub's HTTP side: negotiate, and the WebSocket upgrade at `/game`. The
 * token is checked before any upgrade (401 without a valid one), and so is the
 * page's origin. This is the only file that touches a WebSocket.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { TokenError, type TokenSecret, type VerifiedToken, verifyToken } from "../auth/tokens.ts";
import type { Hub, HubConnection } from "./hub.ts";

/** What {@linkcode hubRoutes} needs. */
export interface TransportDeps {
  readonly hub: Hub;
  readonly secret: TokenSecret;
  /** A player's all-time wins, or `undefined` when the player doesn't exist. */
  readonly winsOf: (playerId: number) => Promise<number | undefined>;
  /** Origins besides the server's own allowed to open the hub. */
  readonly corsOrigins: readonly string[];
}

type Env = { Variables: { user: VerifiedToken; nbWins: number } };

function tokenOf(c: Context): string | undefined {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  return c.req.query("access_token");
}

/** Whether a browser page at `origin` may open the hub on this server. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true; // not a browser: nothing to protect against
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** `/game/negotiate` and `/game`. */
export function hubRoutes(deps: TransportDeps): Hono<Env> {
  const app = new Hono<Env>();

  const authenticate = async (c: Context<Env>, next: () => Promise<void>) => {
    if (!originAllowed(c.req.header("origin"), c.req.header("host"), deps.corsOrigins)) {
      return c.json({ message: "Origin not allowed" }, 403);
    }
    const token = tokenOf(c);
    if (token === undefined) return c.json({ message: "Missing token" }, 401);
    let user: VerifiedToken;
    try {
      user = await verifyToken(deps.secret, token);
    } catch (error) {
      if (error instanceof TokenError) return c.json({ message: error.message }, 401);
      throw error;
    }
    const nbWins = await deps.winsOf(user.id);
    if (nbWins === undefined) return c.json({ message: "Unknown player" }, 401);
    c.set("user", user);
    c.set("nbWins", nbWins);
    await next();
  };

  app.post("/game/negotiate", authenticate, (c) => {
    const version = c.req.query("negotiateVersion") === "1" ? 1 : 0;
    const connectionId = crypto.randomUUID();
    return c.json({
      negotiateVersion: version,
      connectionId,
      ...(version === 1 ? { connectionToken: crypto.randomUUID() } : {}),
      availableTransports: [{ transport: "WebSockets", transferFormats: ["Text"] }],
    });
  });

  app.get("/game", authenticate, (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.json({ message: "This hub speaks WebSocket only: send Upgrade: websocket" }, 400);
    }
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(c.req.raw);
    } catch (error) {
      // A malformed upgrade (no `Connection: Upgrade`, no key, another version) is the client's.
      if (error instanceof TypeError) {
        return c.json({ message: `Cannot upgrade to WebSocket: ${error.message}` }, 400);
      }
      throw error;
    }
    const { socket, response } = upgraded;
    const user = c.get("user");
    const nbWins = c.get("nbWins");
    let connection: HubConnection | undefined;
    socket.onopen = () => connection = deps.hub.open(socket, user, nbWins);
    socket.onmessage = (event) => {
      if (connection) deps.hub.message(connection, event.data);
    };
    socket.onclose = () => {
      if (connection) deps.hub.closed(connection);
    };
    return response;
  });

  return app;
}
