/**
 * A bare hub client over the runtime's WebSocket, for abuse tests: it sends
 * exactly what a test asks (good or bad records, binary frames, floods) and
 * keeps every record the server sends, so a test can await one.
 *
 * @module
 */

import {
  encodeRecord,
  type InvocationMessage,
  JSON_HANDSHAKE,
  MessageType,
  splitRecords,
} from "../../src/hub/wire.ts";

/** A record the server sent, parsed. */
export type HubRecord = Record<string, unknown> & { type?: number; target?: string };

/** An open hub socket and what it received. */
export interface HubSocket {
  readonly ws: WebSocket;
  /** Every record received so far, in order. */
  readonly records: HubRecord[];
  /** Resolves with the close event. */
  readonly closed: Promise<CloseEvent>;
  /** Sends raw text (add the separator yourself) or bytes. */
  sendRaw(data: string | Uint8Array): void;
  /** Sends one record (the separator is added). */
  send(record: unknown): void;
  /** Invokes a hub method and resolves with its completion. */
  invoke(target: string, args?: unknown[]): Promise<HubRecord>;
  /**
   * Resolves with the first record from index `from` on (default: the next
   * one to arrive) that matches; rejects when the socket closes first or after
   * `timeoutMs` (default 10 s).
   */
  waitFor(
    match: (record: HubRecord) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<HubRecord>;
  /** Closes the socket and waits for it to be closed. */
  close(): Promise<void>;
}

let nextInvocation = 0;

/** Opens `/game` with a token, without the handshake when `handshake` is false. */
export async function openHub(
  baseUrl: string,
  token: string,
  options: { handshake?: boolean } = {},
): Promise<HubSocket> {
  const url = baseUrl.replace(/^http/, "ws") + "game?access_token=" + encodeURIComponent(token);
  const ws = new WebSocket(url);
  const records: HubRecord[] = [];
  const waiters = new Set<() => void>();
  let tail = "";
  let isClosed = false;
  const closed = new Promise<CloseEvent>((resolve) => {
    ws.addEventListener("close", (event) => {
      isClosed = true;
      resolve(event);
      for (const wake of [...waiters]) wake();
    });
  });
  ws.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    const split = splitRecords(tail, event.data);
    tail = split.rest;
    for (const record of split.records) records.push(JSON.parse(record));
    for (const wake of [...waiters]) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot open ${baseUrl}game`)), {
      once: true,
    });
  });

  const waitFor: HubSocket["waitFor"] = (match, opts = {}) => {
    let index = opts.from ?? records.length;
    return new Promise<HubRecord>((resolve, reject) => {
      const check = () => {
        for (; index < records.length; index++) {
          if (match(records[index])) {
            done();
            return resolve(records[index]);
          }
        }
        if (isClosed) {
          done();
          reject(new Error("socket closed before the awaited record"));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no awaited record in ${opts.timeoutMs ?? 10_000} ms`));
      }, opts.timeoutMs ?? 10_000);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  };

  const socket: HubSocket = {
    ws,
    records,
    closed,
    sendRaw: (data) => ws.send(data),
    send: (record) => ws.send(encodeRecord(record)),
    invoke(target, args = []) {
      const invocationId = `i${++nextInvocation}`;
      const completion = waitFor((r) =>
        r.type === MessageType.Completion && r.invocationId === invocationId
      );
      socket.send(
        {
          type: MessageType.Invocation,
          invocationId,
          target,
          arguments: args,
        } satisfies InvocationMessage,
      );
      return completion;
    },
    waitFor,
    async close() {
      if (!isClosed) ws.close();
      await closed;
    },
  };
  if (options.handshake ?? true) {
    const from = records.length;
    socket.sendRaw(encodeRecord(JSON_HANDSHAKE));
    await waitFor((r) => r.target === "GameInfo", { from });
  }
  return socket;
}

/** The argument of an invocation record the server sent. */
export function argumentOf(record: HubRecord): Record<string, unknown> {
  return (record.arguments as Record<string, unknown>[])[0];
}
