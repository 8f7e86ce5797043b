/**
 * `POST /game/negotiate`, versions 0 and 1 of the exchange, and the
 * negotiations waiting for their client to connect. A negotiation gives the
 * client a connection id and, from version 1, a secret connection token
 * (version 0 uses the id as the token); the client then starts one of the
 * listed transports with `?id=<token>`. A token unused for a while is
 * forgotten, and one player holds a bounded number of them.
 *
 * @module
 */

import { connectionToken } from "./connection_token.ts";
import { type NegotiateResponse, Transport } from "./wire.ts";

/** What the hub offers every client: each transport with the formats it carries. */
export const AVAILABLE_TRANSPORTS: NegotiateResponse["availableTransports"] = Object.freeze([
  { transport: Transport.WebSockets, transferFormats: ["Text", "Binary"] },
  { transport: Transport.ServerSentEvents, transferFormats: ["Text"] },
  { transport: Transport.LongPolling, transferFormats: ["Text", "Binary"] },
]);

/** A negotiation waiting for its transport. */
export interface Negotiation {
  readonly playerId: number;
  /** Whether stateful reconnect was granted (it applies if the client then uses WebSockets). */
  readonly statefulReconnect: boolean;
  /** When it is forgotten (epoch ms). */
  readonly expiresAt: number;
}

/** Options of {@linkcode Negotiations}. */
export interface NegotiationsOptions {
  /** Reads the clock (default `Date.now`). */
  readonly now?: () => number;
  /** How long a token waits for its transport, in ms (default 15 s). */
  readonly ttlMs?: number;
  /** Tokens one player may hold unused; past it their oldest is forgotten (default 10). */
  readonly maxPerPlayer?: number;
  /**
   * With several servers, this server's id: every id and token starts with
   * it (`connection_token.ts`), so other servers know where to relay
   * requests for the connection (default: none, plain random tokens).
   */
  readonly owner?: string;
}

/** Negotiations waiting for their client's transport. */
export class Negotiations {
  /** By token, oldest first. */
  readonly #pending = new Map<string, Negotiation>();
  readonly #byPlayer = new Map<number, Set<string>>();
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #maxPerPlayer: number;
  readonly #owner: string | undefined;

  constructor(options: NegotiationsOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? 15_000;
    this.#maxPerPlayer = options.maxPerPlayer ?? 10;
    this.#owner = options.owner;
  }

  /** Negotiations waiting now. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Answers a negotiate request of `playerId` in `version` (0 or 1), keeping
   * the token for its transport.
   */
  negotiate(
    playerId: number,
    version: 0 | 1,
    statefulReconnect: boolean,
  ): NegotiateResponse {
    const now = this.#now();
    this.#forgetExpired(now);
    const connectionId = connectionToken(this.#owner);
    const token = version === 1 ? connectionToken(this.#owner) : connectionId;
    this.#pending.set(token, { playerId, statefulReconnect, expiresAt: now + this.#ttlMs });
    let tokens = this.#byPlayer.get(playerId);
    if (tokens === undefined) this.#byPlayer.set(playerId, tokens = new Set());
    tokens.add(token);
    if (tokens.size > this.#maxPerPlayer) this.#forget(tokens.values().next().value!);
    return {
      negotiateVersion: version,
      connectionId,
      ...(version === 1 ? { connectionToken: token } : {}),
      ...(statefulReconnect ? { useStatefulReconnect: true } : {}),
      availableTransports: AVAILABLE_TRANSPORTS,
    };
  }

  /** The negotiation of `token`, while it waits. */
  get(token: string): Negotiation | undefined {
    const negotiation = this.#pending.get(token);
    if (negotiation === undefined || negotiation.expiresAt > this.#now()) return negotiation;
    this.#forget(token);
    return undefined;
  }

  /** Its transport started: the token now names a connection, not a negotiation. */
  delete(token: string): void {
    this.#forget(token);
  }

  #forgetExpired(now: number): void {
    for (const [token, negotiation] of this.#pending) {
      if (negotiation.expiresAt > now) break;
      this.#forget(token);
    }
  }

  #forget(token: string): void {
    const negotiation = this.#pending.get(token);
    if (negotiation === undefined) return;
    this.#pending.delete(token);
    const tokens = this.#byPlayer.get(negotiation.playerId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.#byPlayer.delete(negotiation.playerId);
  }
}
