/**
 * Connects the official `@microsoft/signalr` client to a test server, and
 * waits for hub messages as events.
 *
 * @module
 */

import * as signalR from "@microsoft/signalr";

/** What the server's `EndRound` carries. */
export interface EndRoundMessage {
  winners: string[];
  nbClicks: number;
  roundId: number;
  nextRoundEndsAt: number;
}

/** What the server's `GameInfo` carries. */
export interface GameInfoMessage {
  nbWins: number;
  multiplierCost: number;
  score: number;
  multiplier: number;
  roundId: number;
  roundEndsAt: number;
  roundDurationMs: number;
  serverTime: number;
}

/** A started official client with the messages it received. */
export interface TestClient {
  readonly connection: signalR.HubConnection;
  readonly info: GameInfoMessage;
  readonly ended: (EndRoundMessage & { receivedAt: number })[];
  /** Resolves with the next `EndRound` to arrive. */
  nextEndRound(): Promise<EndRoundMessage & { receivedAt: number }>;
  stop(): Promise<void>;
}

/** Builds and starts the official client the way the original Angular client did. */
export async function connectClient(baseUrl: string, token: string): Promise<TestClient> {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(baseUrl + "game", { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const ended: (EndRoundMessage & { receivedAt: number })[] = [];
  let waiters: ((e: EndRoundMessage & { receivedAt: number }) => void)[] = [];
  const { promise: info, resolve: gotInfo } = Promise.withResolvers<GameInfoMessage>();
  connection.on("GameInfo", (message: GameInfoMessage) => gotInfo(message));
  connection.on("EndRound", (message: EndRoundMessage) => {
    const event = { ...message, receivedAt: Date.now() };
    ended.push(event);
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter(event);
  });
  connection.on("PlayerCount", () => {});
  connection.on("Throttled", () => {});
  await connection.start();
  return {
    connection,
    info: await info,
    ended,
    nextEndRound: () => new Promise((resolve) => waiters.push(resolve)),
    stop: () => connection.stop(),
  };
}
