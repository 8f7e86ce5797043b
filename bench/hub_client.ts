/**
 * A bare client for the Clicker hub: SignalR JSON protocol v1 over
 * {@linkcode RawWebSocket}, with no official client in the way, so the load
 * generator spends as little CPU per message as it can.
 *
 * @module
 */

import { RawWebSocket } from "./raw_socket.ts";

/** The record separator that ends every SignalR JSON record. */
export const RS = "\x1e";

/** The fields of `GameInfo` the benchmark uses. */
export interface GameInfo {
  readonly roundId: number;
  readonly roundEndsAt: number;
  readonly roundDurationMs: number;
}

/** A socket past the handshake, with the `GameInfo` the server sent first. */
export interface Joined {
  readonly socket: RawWebSocket;
  readonly gameInfo: GameInfo;
}

/** The text of an `Increment` invocation; with an id it asks for a completion. */
export function incrementRecord(invocationId?: number): string {
  return invocationId === undefined
    ? `{"type":1,"target":"Increment","arguments":[]}${RS}`
    : `{"type":1,"invocationId":"${invocationId}","target":"Increment","arguments":[]}${RS}`;
}

/** The hub URL for one player: `ws://HOST:PORT/game?access_token=TOKEN`. */
export function hubUrl(base: string, token: string): string {
  const url = new URL("/game", base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("access_token", token);
  return url.href;
}

/**
 * Opens a socket, does the handshake and waits for `GameInfo`. Rejects after
 * `timeoutMs`, or when the server refuses or closes.
 */
export async function joinHub(url: string, timeoutMs = 10_000): Promise<Joined> {
  const socket = await RawWebSocket.connect(url, timeoutMs);
  return await new Promise((resolve, reject) => {
    let handshaken = false;
    const timer = setTimeout(() => {
      fail(new Error(`Cannot join hub: no GameInfo within ${timeoutMs} ms`));
    }, timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.onmessage = socket.onclose = null;
      socket.close();
      reject(error);
    }
    socket.onclose = (reason) => fail(new Error(`Cannot join hub: ${reason}`));
    socket.onmessage = (data) => {
      for (const text of data.split(RS)) {
        if (text === "") continue;
        const record = JSON.parse(text);
        if (!handshaken) {
          if (record.error) return fail(new Error(`Handshake refused: ${record.error}`));
          handshaken = true;
        } else if (record.type === 1 && record.target === "GameInfo") {
          clearTimeout(timer);
          socket.onmessage = socket.onclose = null;
          resolve({ socket, gameInfo: record.arguments[0] });
          return;
        }
      }
    };
    socket.send(`{"protocol":"json","version":1}${RS}`);
  });
}

/**
 * Joins `count` players, `concurrency` handshakes at a time; `urlOf(i)` names
 * player i's URL. Throws when any player can't join.
 */
export async function joinMany(
  count: number,
  urlOf: (index: number) => string,
  options: { concurrency?: number; timeoutMs?: number } = {},
): Promise<Joined[]> {
  const { concurrency = 200, timeoutMs = 20_000 } = options;
  const joined: Joined[] = new Array(count);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      joined[index] = await joinHub(urlOf(index), timeoutMs);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return joined;
}

/** Closes every socket (those already closed are left alone). */
export function closeAll(players: readonly Joined[]): void {
  for (const { socket } of players) socket.close(1000);
}
