/**
 * The hub's HTTP side: negotiate, and the WebSocket upgrade at `/game`. The
 * token is checked before any upgrade (401 without a valid one), and so is the
 * page's origin. This is the only file that touches a WebSocket.
 *
 * WebSockets are spoken by the `ws` package on the connection the server
 * accepted: it bounds a message while it arrives (a frame, or fragments that
 * never end, past {@linkcode MAX_MESSAGE_BYTES} close the socket with 1009),
 * which the runtime's own upgrade doesn't. Every message is then charged to
 * the connection's budget before anything parses it.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { type Context, Hono } from "hono";
// @ts-types="./ws_types.d.ts"
import { WebSocket as WsSocket, WebSocketServer } from "ws";
import { TokenError, type TokenSecret, type VerifiedToken, verifyToken } from "../auth/tokens.ts";
import type { ServeEnv } from "../http/serve.ts";
import type { Hub, HubConnection } from "./hub.ts";
import type { Socket } from "./connections.ts";
import { chargeMessage, type MessageBudget, newBudgetUse } from "./message_budget.ts";
import { CloseReason, type NegotiateResponse } from "./wire.ts";

/**
 * The largest WebSocket message `ws` assembles. Records are limited to 32 KiB
 * by the hub, which closes with a reason the client can show; a message of up
 * to twice that still reaches it, and anything larger is cut off by `ws` as it
 * arrives, so a socket never holds more than this.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** How long a closed socket may take to finish its closing handshake. */
const CLOSE_GRACE_MS = 1000;

/** What {@linkcode hubRoutes} needs. */
export interface TransportDeps {
  readonly hub: Hub;
  readonly secret: TokenSecret;
  /** A player's all-time wins, or `undefined` when the player doesn't exist. */
  readonly winsOf: (playerId: number) => Promise<number | undefined>;
  /** Origins besides the server's own allowed to open the hub. */
  readonly corsOrigins: readonly string[];
  /** What one connection may send in a second before it is closed. */
  readonly budget: MessageBudget;
}

type Env = { Bindings: Partial<ServeEnv>; Variables: { user: VerifiedToken; nbWins: number } };

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
    return c.json(
      {
        negotiateVersion: version,
        connectionId,
        ...(version === 1 ? { connectionToken: crypto.randomUUID() } : {}),
        availableTransports: [{ transport: "WebSockets", transferFormats: ["Text"] }],
      } satisfies NegotiateResponse,
    );
  });

  const server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  app.get("/game", authenticate, (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.json({ message: "This hub speaks WebSocket only: send Upgrade: websocket" }, 400);
    }
    const problem = upgradeProblem(c);
    const upgrade = c.env?.upgrade;
    if (problem !== undefined || upgrade === undefined) {
      const why = problem ?? "the Connection header must include Upgrade";
      return c.json({ message: `Cannot upgrade to WebSocket: ${why}` }, 400);
    }
    const user = c.get("user");
    const nbWins = c.get("nbWins");
    upgrade.take();
    server.handleUpgrade(
      upgrade.request,
      upgrade.socket,
      Buffer.from(upgrade.head),
      (ws) => attach(deps, ws, user, nbWins),
    );
    return c.body(null, 204);
  });

  return app;
}

/** Why the upgrade request can't be accepted, before `ws` would refuse it without a word. */
function upgradeProblem(c: Context): string | undefined {
  const key = c.req.header("sec-websocket-key");
  if (key === undefined || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) {
    return "missing or malformed Sec-WebSocket-Key";
  }
  const version = c.req.header("sec-websocket-version");
  if (version !== "13" && version !== "8") return "Sec-WebSocket-Version must be 13";
  return undefined;
}

/** Connects an accepted WebSocket to the hub, charging each message to its budget. */
function attach(deps: TransportDeps, ws: WsSocket, user: VerifiedToken, nbWins: number): void {
  const { hub } = deps;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  const socket: Socket = {
    send: (text) => ws.send(text),
    close(code, reason) {
      // A client closed for breaking a limit is read no more; any other gets
      // the usual closing handshake. Either is cut off if it doesn't finish it soon.
      if (code !== undefined && code !== 1000 && code !== 1001) ws.pause();
      ws.close(code, reason);
      closeTimer ??= setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
  };
  const connection: HubConnection = hub.open(socket, user, nbWins);
  const use = newBudgetUse();
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const over = chargeMessage(use, hub.registry.second, data.length, deps.budget);
    if (over !== undefined) {
      hub.registry.close(connection, {
        error: over,
        reason: CloseReason.OverBudget,
        code: POLICY_VIOLATION,
      });
      return;
    }
    hub.message(connection, isBinary ? new Uint8Array(data) : data.toString());
  });
  // ws has already answered a protocol error (1002, or 1009 for a message too large).
  ws.on("error", () => ws.terminate());
  ws.on("close", () => {
    clearTimeout(closeTimer);
    hub.closed(connection);
  });
}

/** Close code for a client that broke a limit. */
const POLICY_VIOLATION = 1008;
