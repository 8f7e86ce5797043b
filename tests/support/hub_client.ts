/**
 * Connects the official `@microsoft/signalr` client to a test server, and
 * waits for hub messages as events.
 *
 * @module
 */

import * as signalR from "@microsoft/signalr";
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

/** Builds and starts the official client the way the original Angular client did. */
export async function connectClient(baseUrl: string, token: string): Promise<TestClient> {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(baseUrl + "game", { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None)
    .build();
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
