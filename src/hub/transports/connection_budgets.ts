/**
 * Each connection's budget of messages and bytes a second, whatever its
 * transport: a WebSocket message and an HTTP POST of messages each count as
 * one message of their size, a long poll as one message of none. A
 * connection over its budget is closed with 1008 and a reason, and its
 * player is kept out for a while: without that, a flooder would reconnect at
 * once and start again with a fresh budget.
 *
 * @module
 */

import type { Hub, HubConnection } from "../hub.ts";
import {
  type BudgetUse,
  chargeMessage,
  type MessageBudget,
  newBudgetUse,
} from "../message_budget.ts";
import { PenaltyBox } from "../penalty_box.ts";
import { CloseReason } from "../wire.ts";

/** Close code for a client that broke a limit. */
export const POLICY_VIOLATION = 1008;

/** What every connection has used of its budget this second. */
export class ConnectionBudgets {
  readonly #hub: Hub;
  readonly #budget: MessageBudget;
  readonly #uses = new WeakMap<HubConnection, BudgetUse>();
  readonly #penalties = new PenaltyBox();
  readonly #now: () => number;

  constructor(hub: Hub, budget: MessageBudget, now: () => number = Date.now) {
    this.#hub = hub;
    this.#budget = budget;
    this.#now = now;
  }

  /** Milliseconds until a player closed for flooding may connect again; 0 when they may. */
  retryAfter(playerId: number): number {
    return this.#penalties.retryAfter(playerId, this.#now());
  }

  /** Charges one message of `bytes`; `false` when over budget, and then the connection is closed. */
  charge(connection: HubConnection, bytes: number): boolean {
    let use = this.#uses.get(connection);
    if (use === undefined) this.#uses.set(connection, use = newBudgetUse());
    const over = chargeMessage(use, this.#hub.registry.second, bytes, this.#budget);
    if (over === undefined) return true;
    this.#penalties.bar(connection.playerId, this.#now());
    this.#hub.registry.close(connection, {
      error: over,
      reason: CloseReason.OverBudget,
      code: POLICY_VIOLATION,
    });
    return false;
  }
}
