/**
 * What the hub counts as it works: plain numbers, incremented in place on
 * the click path (no label lookup, no allocation), read when Prometheus
 * scrapes (`metrics.ts`). One object per hub; nothing here does I/O.
 *
 * @module
 */

/** The hub's running totals since start. */
export class HubCounts {
  /** Hub messages parsed from clients. */
  messagesIn = 0;
  /** Hub messages written to clients (each recipient of a broadcast counts). */
  messagesOut = 0;
  /** Clicks that scored. */
  clicksCounted = 0;
  /** Clicks dropped by the per-player cap. */
  clicksCapped = 0;
  /** Clicks the game could not take (its store was out of reach). */
  clicksRefused = 0;
  /** Multipliers bought. */
  purchasesBought = 0;
  /** Purchases refused: not enough points. */
  purchasesRefused = 0;
  /** Purchases the game could not take. */
  purchasesFailed = 0;
  /** Connections opened. */
  connectionsOpened = 0;
  /** Connections closed, by reason (a handful of reasons). */
  readonly connectionsClosed: Map<string, number> = new Map();

  /** A connection closed for `reason`. */
  closed(reason: string): void {
    this.connectionsClosed.set(reason, (this.connectionsClosed.get(reason) ?? 0) + 1);
  }
}
