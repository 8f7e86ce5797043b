/**
 * The hub's HTTP side, at `/game`: negotiate, then one of three transports,
 * as ASP.NET Core SignalR serves them.
 *
 * - `POST /game/negotiate` lists the transports and gives a connection token.
 * - `GET /game` with `Upgrade: websocket` opens a WebSocket: a new connection
 *   (with `?id=<token>` from negotiate, or without, skipping negotiate), or
 *   the new socket of a connection resuming by stateful reconnect.
 * - `GET /game?id=` with `Accept: text/event-stream` opens Server-Sent Events;
 *   any other `GET /game?id=` is a long poll. Both take the client's messages
 *   by `POST /game?id=` and end with `DELETE /game?id=`.
 *
 * Every request is checked first: a page's origin (the server's own or one of
 * `CORS_ORIGINS`, else 403) and a valid token (else 401), from the
 * `Authorization` header, `?access_token=` or the sign-in cookie. A token
 * names one player, who alone may use the connections negotiated with it.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import type { TokenSecret, VerifiedToken } from "../auth/tokens.ts";
import type { ServeEnv } from "../http/serve.ts";
import { authenticateRequest, type Authentication, originAllowed } from "../http/request_auth.ts";
import { forwardedFor } from "../http/client_address.ts";
import type { Hub, HubConnection } from "./hub.ts";
import type { MessageBudget } from "./message_budget.ts";
import { Negotiations } from "./negotiate.ts";
import { tokenOwner } from "./connection_token.ts";
import { ConnectionBudgets } from "./transports/connection_budgets.ts";
import { isUpgrade, upgradeProblem, WebSocketTransport } from "./transports/websocket.ts";
import { ServerSentEventsSocket } from "./transports/server_sent_events.ts";
import { ClosedPolls, LongPollingSocket } from "./transports/long_polling.ts";
import { PostReceiver } from "./transports/http_post.ts";
import { Transport } from "./wire.ts";

export { MAX_MESSAGE_BYTES } from "./transports/websocket.ts";

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
  /** Whether negotiate grants stateful reconnect to clients that ask (default true). */
  readonly statefulReconnect?: boolean;
  /**
   * Several servers behind a load balancer without sticky sessions: a
   * negotiation's next request may reach another server. Negotiate then
   * offers no stateful reconnect (a connection lives on one server), and a
   * WebSocket whose token was negotiated elsewhere starts as if negotiate
   * had been skipped (its player is checked all the same). Server-Sent
   * Events and long polling are offered only with a {@linkcode relay}.
   */
  readonly shared?: boolean;
  /** With several servers, this server's id: it starts every token negotiated here. */
  readonly serverId?: string;
  /** Passes requests for connections held by other servers to them. */
  readonly relay?: ConnectionRelay;
  /** Whether the client address is read from `X-Forwarded-For` (default false). */
  readonly trustProxy?: boolean;
}

/** Reaches the connections other servers hold. */
export interface ConnectionRelay {
  /**
   * The answer to `request`, for the connection of `token`, from the server
   * that holds it; `undefined` when no other live server does. `forwardedFor`
   * is the `X-Forwarded-For` to send, ending in the client address.
   */
  forward(request: Request, token: string, forwardedFor: string): Promise<Response | undefined>;
}

type Env = { Bindings: Partial<ServeEnv>; Variables: { user: VerifiedToken } };

/** `/game/negotiate` and `/game`. */
export function hubRoutes(deps: TransportDeps): Hono<Env> {
  const { hub } = deps;
  const app = new Hono<Env>();
  const negotiations = new Negotiations({ owner: deps.serverId });
  const budgets = new ConnectionBudgets(hub, deps.budget);
  const webSockets = new WebSocketTransport(hub, budgets);
  const closedPolls = new ClosedPolls();
  const posts = new PostReceiver(hub, budgets);

  const authenticate = async (c: Context<Env>, next: () => Promise<void>) => {
    if (!originAllowed(c.req.header("origin"), c.req.header("host"), deps.corsOrigins)) {
      return c.json({ message: "Origin not allowed" }, 403);
    }
    const options = { query: true, corsOrigins: deps.corsOrigins };
    let auth = await authenticateRequest(c, deps.secret, options);
    if (!auth.ok && auth.expired) auth = await lapsed(c, options) ?? auth;
    if (!auth.ok) return c.json({ message: auth.message }, auth.status);
    const wait = budgets.retryAfter(auth.user.id);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      c.header("Retry-After", String(seconds));
      return c.json({ message: `Closed for flooding: wait ${seconds} s before reconnecting` }, 429);
    }
    c.set("user", auth.user);
    await next();
  };

  /**
   * A request of a live Server-Sent Events or long-polling connection whose
   * token expired still speaks for the connection's player: the official
   * clients keep sending the token they started with on these requests (their
   * refresh on a 401 never runs), while the connection itself ends with the
   * player's session, renewed or not (the keep-alive closes it then). So a
   * token good but for its expiry, of the connection's player, is accepted
   * for it; another server's connection is left to its owner, which applies
   * this same rule to the relayed request.
   */
  const lapsed = async (
    c: Context<Env>,
    options: { readonly query: boolean; readonly corsOrigins: readonly string[] },
  ): Promise<Authentication | undefined> => {
    const token = c.req.query("id");
    if (token === undefined || isUpgrade(c)) return undefined;
    const auth = await authenticateRequest(c, deps.secret, { ...options, allowExpired: true });
    if (!auth.ok) return undefined;
    const connection = hub.registry.byToken(token);
    if (connection !== undefined) return connection.playerId === auth.user.id ? auth : undefined;
    const owner = tokenOwner(token);
    const elsewhere = deps.relay !== undefined && owner !== undefined && owner !== deps.serverId;
    return elsewhere ? auth : undefined;
  };

  /** Opens a connection of the request's player, or answers why not. */
  const open = async (
    c: Context<Env>,
    start: (nbWins: number) => Response,
  ): Promise<Response> => {
    const id = c.get("user").id;
    const [nbWins] = await Promise.all([deps.winsOf(id), hub.prepare(id)]);
    if (nbWins === undefined) return c.json({ message: "Unknown player" }, 401);
    return start(nbWins);
  };

  app.post("/game/negotiate", authenticate, async (c) => {
    const user = c.get("user");
    if (await deps.winsOf(user.id) === undefined) {
      return c.json({ message: "Unknown player" }, 401);
    }
    const version = Number(c.req.query("negotiateVersion") ?? "0") >= 1 ? 1 : 0;
    const stateful = deps.statefulReconnect !== false && !deps.shared &&
      c.req.query("useStatefulReconnect") === "true";
    const answer = negotiations.negotiate(user.id, version, stateful);
    if (!deps.shared || deps.relay !== undefined) return c.json(answer);
    const webSocketsOnly = answer.availableTransports.filter((t) =>
      t.transport === Transport.WebSockets
    );
    return c.json({ ...answer, availableTransports: webSocketsOnly });
  });

  app.get("/game", authenticate, async (c) => {
    const user = c.get("user");
    const token = c.req.query("id");
    const upgrade = isUpgrade(c);
    const problem = upgrade ? upgradeProblem(c) : undefined;
    if (problem !== undefined) {
      return c.json({ message: `Cannot upgrade to WebSocket: ${problem}` }, 400);
    }
    if (token === undefined) {
      if (!upgrade) {
        return c.json({ message: "Connection ID required: negotiate first, or upgrade" }, 400);
      }
      return await open(
        c,
        (nbWins) => webSockets.accept(c, (socket) => hub.open(socket, user, nbWins)),
      );
    }

    const connection = hub.registry.byToken(token);
    if (connection !== undefined) {
      if (connection.playerId !== user.id) return notYours(c);
      if (upgrade && connection.replay !== undefined) {
        // Stateful reconnect: the same connection goes on over a new socket.
        return webSockets.accept(c, (socket) => {
          if (hub.registry.get(connection.id) !== connection) return undefined;
          hub.resume(connection, socket);
          return connection;
        });
      }
      if (!upgrade && connection.socket instanceof LongPollingSocket) {
        // A poll shows the client is there; one over budget collects the close record.
        hub.registry.heard(connection);
        budgets.charge(connection, 0);
        lasting(c);
        return connection.socket.poll();
      }
      return c.json({ message: "This connection is already started" }, 409);
    }

    const negotiation = negotiations.get(token);
    if (negotiation === undefined && upgrade && deps.shared) {
      return await open(
        c,
        (nbWins) => webSockets.accept(c, (socket) => hub.open(socket, user, nbWins)),
      );
    }
    if (negotiation === undefined) {
      const closed = upgrade ? undefined : closedPolls.get(token);
      if (closed !== undefined) return closed.poll();
      const relayed = upgrade ? undefined : await relay(c, token);
      if (relayed === undefined) return c.json({ message: "No connection with that id" }, 404);
      // A relayed event stream or long poll lasts as long as its client here too.
      if (relayed.ok) lasting(c);
      return relayed;
    }
    if (negotiation.playerId !== user.id) return notYours(c);
    return await open(c, (nbWins) => {
      negotiations.delete(token);
      if (upgrade) {
        const resumable = negotiation.statefulReconnect;
        return webSockets.accept(
          c,
          (socket) => hub.open(socket, user, nbWins, { token, resumable }),
        );
      }
      if (c.req.header("accept")?.includes("text/event-stream")) {
        const socket = new ServerSentEventsSocket();
        const connection = hub.open(socket, user, nbWins, { token });
        socket.onGone(() => hub.closed(connection, socket));
        lasting(c);
        return socket.response;
      }
      const socket = new LongPollingSocket();
      socket.onClose(() => closedPolls.keep(token, socket));
      const connection = hub.open(socket, user, nbWins, { token });
      // Its idle time counts from the end of its last poll.
      socket.onPollEnd(() => hub.registry.heard(connection));
      // The first poll only opens the connection.
      return c.body(null, 200);
    });
  });

  app.post("/game", authenticate, async (c) => {
    const found = await httpConnection(c);
    if (found instanceof Response) return found;
    return await posts.receive(c, found);
  });

  app.delete("/game", authenticate, async (c) => {
    const found = await httpConnection(c);
    if (found instanceof Response) return found;
    hub.registry.close(found);
    return c.body(null, 202);
  });

  /** The owner's answer to a request for a connection another server holds, if one does. */
  function relay(c: Context<Env>, token: string): Promise<Response | undefined> {
    if (deps.relay === undefined) return Promise.resolve(undefined);
    return deps.relay.forward(c.req.raw, token, forwardedFor(c, deps.trustProxy ?? false));
  }

  /**
   * The Server-Sent Events or long-polling connection a POST or DELETE
   * names, or the answer: its owner's when another server holds it.
   */
  async function httpConnection(c: Context<Env>): Promise<HubConnection | Response> {
    const token = c.req.query("id");
    if (token === undefined) return c.json({ message: "Connection ID required" }, 400);
    const connection = hub.registry.byToken(token);
    if (connection === undefined) {
      return await relay(c, token) ?? c.json({ message: "No connection with that id" }, 404);
    }
    if (connection.playerId !== c.get("user").id) return notYours(c);
    const { socket } = connection;
    if (!(socket instanceof ServerSentEventsSocket || socket instanceof LongPollingSocket)) {
      return c.json({ message: "A WebSocket connection takes its messages over the socket" }, 405);
    }
    return connection;
  }

  return app;
}

/**
 * The response lasts as long as its client (an event stream, a long poll):
 * the server does not time it out as a request.
 */
function lasting(c: Context<Env>): void {
  c.env?.stream?.();
}

function notYours(c: Context): Response {
  return c.json({ message: "This connection belongs to another player" }, 403);
}
