/**
 * A bare client for the Clicker hub: SignalR JSON protocol v1 over
 * {@linkcode RawWebSocket}, with no official client in the way, so the load
 * generator spends as little CPU per message as it can. The separator,
 * message numbers, method names and payloads come from the project's
 * `src/hub/wire.ts`.
 *
 * @module
 */

import { RawWebSocket } from "./raw_socket.ts";
import {
  ClientMethod,
  encodeRecord,
  type GameInfo,
  HubMethod,
  type InvocationMessage,
  JSON_HANDSHAKE,
  MessageType,
  splitRecords,
} from "../src/hub/wire.ts";

/** A socket past the handshake, with the `GameInfo` the server sent first. */
export interface Joined {
  readonly socket: RawWebSocket;
  readonly gameInfo: GameInfo;
}

/**
 * What a completion record contains, for spotting one without parsing it
 * (both servers write `type` first, with no space).
 */
export const COMPLETION_MARK = `"type":${MessageType.Completion}`;

/** What an `EndRound` invocation contains, for spotting one without parsing it. */
export const END_ROUND_MARK = `"${ClientMethod.EndRound}"`;

/** The text of an `Increment` invocation; with an id it asks for a completion. */
export function incrementRecord(invocationId?: number): string {
  const target = HubMethod.Increment;
  const invocation: InvocationMessage = invocationId === undefined
    ? { type: MessageType.Invocation, target, arguments: [] }
    : { type: MessageType.Invocation, invocationId: String(invocationId), target, arguments: [] };
  return encodeRecord(invocation);
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
    let rest = "";
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
      const split = splitRecords(rest, data);
      rest = split.rest;
      for (const text of split.records) {
        const record = JSON.parse(text);
        if (!handshaken) {
          if (record.error) return fail(new Error(`Handshake refused: ${record.error}`));
          handshaken = true;
        } else if (
          record.type === MessageType.Invocation && record.target === ClientMethod.GameInfo
        ) {
          clearTimeout(timer);
          socket.onmessage = socket.onclose = null;
          resolve({ socket, gameInfo: record.arguments[0] });
          return;
        }
      }
    };
    socket.send(encodeRecord(JSON_HANDSHAKE));
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
