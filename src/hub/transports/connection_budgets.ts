/**
 * Each connection's budget of messages and bytes a second, whatever its
 * transport: a WebSocket message and an HTTP POST of messages each count as
 * one message of their size, a long poll as one message of none. A
 * connection over its budget is closed with 1008 and a reason.
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
import { CloseReason } from "../wire.ts";

/** Close code for a client that broke a limit. */
export const POLICY_VIOLATION = 1008;

/** What every connection has used of its budget this second. */
export class ConnectionBudgets {
  readonly #hub: Hub;
  readonly #budget: MessageBudget;
  readonly #uses = new WeakMap<HubConnection, BudgetUse>();

  constructor(hub: Hub, budget: MessageBudget) {
    this.#hub = hub;
    this.#budget = budget;
  }

  /** Charges one message of `bytes`; `false` when over budget, and then the connection is closed. */
  charge(connection: HubConnection, bytes: number): boolean {
    let use = this.#uses.get(connection);
    if (use === undefined) this.#uses.set(connection, use = newBudgetUse());
    const over = chargeMessage(use, this.#hub.registry.second, bytes, this.#budget);
    if (over === undefined) return true;
    this.#hub.registry.close(connection, {
      error: over,
      reason: CloseReason.OverBudget,
      code: POLICY_VIOLATION,
    });
    return false;
  }
}
