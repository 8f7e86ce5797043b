/**
 * A connection's budget of messages and bytes a second, charged for every
 * WebSocket message before anything parses it, so a flooding client costs
 * the server a bounded amount before it is closed. Seconds are counted by a
 * timer elsewhere and passed in: no clock is read per message.
 *
 * @module
 */

/** What one connection may send in a second. */
export interface MessageBudget {
  readonly messagesPerSecond: number;
  readonly bytesPerSecond: number;
}

/** What a connection has sent in the current second. */
export interface BudgetUse {
  second: number;
  messages: number;
  bytes: number;
}

/** A fresh record of use. */
export function newBudgetUse(): BudgetUse {
  return { second: -1, messages: 0, bytes: 0 };
}

/**
 * Charges one message of `bytes` during `second`; returns why the connection
 * is over its budget, or `undefined` while it is within it.
 */
export function chargeMessage(
  use: BudgetUse,
  second: number,
  bytes: number,
  budget: MessageBudget,
): string | undefined {
  if (use.second !== second) {
    use.second = second;
    use.messages = 0;
    use.bytes = 0;
  }
  use.messages++;
  use.bytes += bytes;
  if (use.messages > budget.messagesPerSecond) {
    return `Too many messages: at most ${budget.messagesPerSecond} a second per connection`;
  }
  if (use.bytes > budget.bytesPerSecond) {
    return `Too much data: at most ${budget.bytesPerSecond} bytes a second per connection`;
  }
  return undefined;
}
