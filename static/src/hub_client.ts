/**
 * A small client for the SignalR JSON hub protocol over one WebSocket:
 * handshake, `invoke` with completions, `send`, `on(target)`, pings, and the
 * close record. It connects to the hub URL directly (no negotiate); the
 * token travels as the `access_token` query parameter, since browsers can't
 * set headers on a WebSocket.
 *
 * @module
 */

import {
  type CloseReason,
  encodeRecord,
  JSON_HANDSHAKE,
  MessageType,
  splitRecords,
} from "../../src/hub/wire.ts";
import {
  type HubMessage,
  invocationRecord,
  parseFirstRecord,
  parseMessage,
} from "./hub_records.ts";

/** Timing of a {@linkcode HubClient}; the defaults are the official client's. */
export interface HubClientOptions {
  /** How often to ping the server. Default 15 000 ms. */
  readonly pingIntervalMs?: number;
  /** Silence from the server after which the connection counts as lost. Default 30 000 ms. */
  readonly serverTimeoutMs?: number;
  /** How long the socket may take to open and answer the handshake. Default 15 000 ms. */
  readonly handshakeTimeoutMs?: number;
}

/** Why a connection ended. */
export interface HubCloseInfo {
  /** The WebSocket close code (1006 when the connection just dropped). */
  readonly code: number;
  /** The reason the server gave in its close record, or a local reason. */
  readonly error?: string;
  /** The reason code of the server's close record, when it sent one with a code. */
  readonly reason?: CloseReason;
}

/** The server answered an invocation with a completion error. */
export class HubError extends Error {
  override name = "HubError";
}

/** The connection closed before the handshake finished. */
export class HubConnectError extends Error {
  override name = "HubConnectError";
  /** WebSocket close code. */
  readonly code: number;
  /** The reason code of the server's close record, when it sent one with a code. */
  readonly reason: CloseReason | undefined;
  constructor(message: string, code: number, reason?: CloseReason) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

type Handler = (...args: unknown[]) => void;
type Timer = ReturnType<typeof setTimeout>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One hub connection. Register handlers with `on`, then `start()`. */
export class HubClient {
  readonly #url: string;
  readonly #options: Required<HubClientOptions>;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #closeHandlers = new Set<(info: HubCloseInfo) => void>();
  readonly #pending = new Map<string, Pending>();
  #socket: WebSocket | null = null;
  #rest = "";
  #nextId = 1;
  #handshakeDone = false;
  #finished = false;
  #closeError: string | undefined;
  #closeReason: CloseReason | undefined;
  #timers: Timer[] = [];
  #silenceTimer: Timer | undefined;
  #startFailed: ((error: Error) => void) | null = null;

  /** `url` is a `ws:` or `wss:` URL of the hub, token included. */
  constructor(url: string, options: HubClientOptions = {}) {
    this.#url = url;
    this.#options = {
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      serverTimeoutMs: options.serverTimeoutMs ?? 30_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15_000,
    };
  }

  /** Calls `handler` with the arguments of every invocation of `target` (case-insensitive). */
  on(target: string, handler: Handler): () => void {
    const key = target.toLowerCase();
    const set = this.#handlers.get(key) ?? new Set();
    set.add(handler);
    this.#handlers.set(key, set);
    return () => set.delete(handler);
  }

  /** Calls `handler` once when a started connection ends, whoever ended it. */
  onClose(handler: (info: HubCloseInfo) => void): void {
    this.#closeHandlers.add(handler);
  }

  /** Opens the socket and does the handshake; rejects with {@linkcode HubConnectError}. */
  start(): Promise<void> {
    if (this.#socket !== null) {
      return Promise.reject(new TypeError("Cannot start a hub client twice"));
    }
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.#url);
      this.#socket = socket;
      this.#startFailed = reject;
      const handshakeTimer = setTimeout(() => {
        this.#finish(1006, "Handshake timed out");
      }, this.#options.handshakeTimeoutMs);
      this.#timers.push(handshakeTimer);
      socket.onopen = () => socket.send(encodeRecord(JSON_HANDSHAKE));
      socket.onclose = (event) => this.#finish(event.code, event.reason || undefined);
      socket.onmessage = (event) => {
        if (typeof event.data !== "string") return;
        const { records, rest } = splitRecords(this.#rest, event.data);
        this.#rest = rest;
        this.#resetSilenceTimer();
        for (const record of records) {
          if (this.#finished) return;
          if (!this.#handshakeDone) {
            const answer = safely(() => parseFirstRecord(record));
            if (answer !== undefined && "type" in answer) {
              this.#dispatch(answer);
              return;
            }
            if (answer === undefined || answer.error !== undefined) {
              this.#finish(1002, answer?.error ?? "Bad handshake response");
              return;
            }
            this.#handshakeDone = true;
            this.#startFailed = null;
            clearTimeout(handshakeTimer);
            this.#startPinging();
            resolve();
            continue;
          }
          const message = safely(() => parseMessage(record));
          if (message !== undefined) this.#dispatch(message);
        }
      };
    });
  }

  /** Invokes a hub method and resolves with its completion result; rejects with {@linkcode HubError}. */
  invoke<T = unknown>(target: string, ...args: unknown[]): Promise<T> {
    const socket = this.#openSocket();
    if (socket === null) {
      return Promise.reject(new Error("Cannot invoke: not connected"));
    }
    const invocationId = String(this.#nextId++);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(invocationId, { resolve: resolve as (v: unknown) => void, reject });
      socket.send(invocationRecord(target, args, invocationId));
    });
  }

  /** Invokes a hub method without asking for a completion. */
  send(target: string, ...args: unknown[]): void {
    this.#openSocket()?.send(invocationRecord(target, args));
  }

  /** Closes the connection; close handlers run with code 1000. */
  close(): void {
    this.#finish(1000, undefined);
  }

  #openSocket(): WebSocket | null {
    const socket = this.#socket;
    if (!this.#handshakeDone || this.#finished || socket?.readyState !== WebSocket.OPEN) {
      return null;
    }
    return socket;
  }

  #dispatch(message: HubMessage): void {
    if (message.type === MessageType.Invocation && "target" in message) {
      const handlers = this.#handlers.get(message.target.toLowerCase());
      for (const handler of handlers ?? []) {
        try {
          handler(...message.arguments);
        } catch (error) {
          console.error(`Handler for ${message.target} failed`, error);
        }
      }
    } else if (message.type === MessageType.Completion && "invocationId" in message) {
      const pending = this.#pending.get(message.invocationId);
      if (pending === undefined) return;
      this.#pending.delete(message.invocationId);
      if (message.error !== undefined) pending.reject(new HubError(message.error));
      else pending.resolve(message.result);
    } else if (message.type === MessageType.Close) {
      this.#closeError = "error" in message ? message.error : undefined;
      this.#closeReason = "reason" in message ? message.reason : undefined;
      this.#finish(1000, this.#closeError);
    }
    // Pings need no answer: our own ping timer keeps the server's side alive.
  }

  #startPinging(): void {
    const ping = encodeRecord({ type: MessageType.Ping });
    this.#timers.push(
      setInterval(() => this.#openSocket()?.send(ping), this.#options.pingIntervalMs),
    );
    this.#resetSilenceTimer();
  }

  #resetSilenceTimer(): void {
    if (!this.#handshakeDone) return;
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => {
      this.#finish(1006, "Server timeout: no message for too long");
    }, this.#options.serverTimeoutMs);
  }

  /** Ends the connection once, whatever ended it first. */
  #finish(code: number, why: string | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const timer of this.#timers) clearInterval(timer);
    clearTimeout(this.#silenceTimer);
    const socket = this.#socket;
    if (socket !== null) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
        socket.close();
      }
    }
    const error = this.#closeError ?? why;
    for (const pending of this.#pending.values()) {
      pending.reject(new Error("Connection closed before the server answered"));
    }
    this.#pending.clear();
    const reason = this.#closeReason;
    if (!this.#handshakeDone) {
      const message = error ?? `Cannot connect (code ${code})`;
      this.#startFailed?.(new HubConnectError(message, code, reason));
      this.#startFailed = null;
      return;
    }
    const info: HubCloseInfo = reason === undefined ? { code, error } : { code, error, reason };
    for (const handler of this.#closeHandlers) handler(info);
  }
}

function safely<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    console.warn(error instanceof Error ? error.message : error);
    return undefined;
  }
}
