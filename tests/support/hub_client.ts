/**
 * Connects the official `@microsoft/signalr` client to a test server, and
 * waits for hub messages as events.
 *
 * @module
 */

import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { ClientMethod, type EndRound, type GameInfo } from "../../src/hub/wire.ts";

/** An `EndRound` as received, with the local time it arrived. */
export type ReceivedEndRound = EndRound & { readonly receivedAt: number };

/** A started official client with the messages it received. */
export interface TestClient {
  readonly connection: signalR.HubConnection;
  readonly info: GameInfo;
  readonly ended: ReceivedEndRound[];
  /** Resolves with the next `EndRound` to arrive. */
  nextEndRound(): Promise<ReceivedEndRound>;
  stop(): Promise<void>;
}

/** How {@linkcode connectClient} builds the client; the defaults are the original client's. */
export interface ClientOptions {
  /** The hub protocol (default JSON). */
  readonly protocol?: "json" | "messagepack";
  /** The transports the client may use (default: any, WebSockets first). */
  readonly transport?: signalR.HttpTransportType;
  /** `withStatefulReconnect()` (default off). */
  readonly statefulReconnect?: boolean;
  /** `withAutomaticReconnect()`: `true` for the default waits, or the waits before each attempt, in ms (default off). */
  readonly automaticReconnect?: boolean | readonly number[];
}

/**
 * Builds and starts the official client the way the original Angular client
 * did, or with another protocol, transport or stateful reconnect.
 */
export async function connectClient(
  baseUrl: string,
  token: string,
  options: ClientOptions = {},
): Promise<TestClient> {
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(baseUrl + "game", {
      accessTokenFactory: () => token,
      transport: options.transport,
      // The client finds no EventSource of its own under Deno; the runtime has one.
      EventSource: globalThis.EventSource,
    } as signalR.IHttpConnectionOptions)
    .configureLogging(signalR.LogLevel.None);
  if (options.protocol === "messagepack") builder.withHubProtocol(new MessagePackHubProtocol());
  if (options.statefulReconnect) builder.withStatefulReconnect();
  if (options.automaticReconnect === true) builder.withAutomaticReconnect();
  else if (options.automaticReconnect) {
    builder.withAutomaticReconnect([...options.automaticReconnect]);
  }
  const connection = builder.build();
  const ended: ReceivedEndRound[] = [];
  let waiters: ((e: ReceivedEndRound) => void)[] = [];
  const { promise: info, resolve: gotInfo } = Promise.withResolvers<GameInfo>();
  connection.on(ClientMethod.GameInfo, (message: GameInfo) => gotInfo(message));
  connection.on(ClientMethod.EndRound, (message: EndRound) => {
    const event = { ...message, receivedAt: Date.now() };
    ended.push(event);
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter(event);
  });
  connection.on(ClientMethod.PlayerCount, () => {});
  connection.on(ClientMethod.Throttled, () => {});
  await connection.start();
  return {
    connection,
    info: await info,
    ended,
    nextEndRound: () => new Promise((resolve) => waiters.push(resolve)),
    stop: () => connection.stop(),
  };
}
