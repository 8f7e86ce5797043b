/**
 * Did every `EndRound` reach every connected client once? From one client's
 * log: each connection runs from its `GameInfo` to the event that ended it
 * (or to the end of the soak). A connection that was open for the whole of a
 * round, and for `graceMs` after its end, must have received that round's
 * `EndRound`; no client may receive one round's `EndRound` twice.
 *
 * @module
 */

import type { SoakEvent } from "./soak_events.ts";

/** What {@linkcode checkDelivery} found for one client. */
export interface Delivery {
  /** Rounds whose `EndRound` the client had to receive. */
  readonly expected: number;
  /** `EndRound`s received. */
  readonly received: number;
  /** Round ids whose `EndRound` a connection open for the whole round never received. */
  readonly missed: readonly number[];
  /** Round ids whose `EndRound` the client received more than once. */
  readonly duplicated: readonly number[];
  /** Connections that ended without the soak ending them. */
  readonly unexpectedDowns: number;
  /** Connections the soak ended (stops, cuts). */
  readonly expectedDowns: number;
  /** Why the unexpected ones ended, and how often. */
  readonly downReasons: Readonly<Record<string, number>>;
}

/** Options of {@linkcode checkDelivery}. */
export interface DeliveryOptions {
  /** When the soak stopped looking (epoch ms); open connections count as open until then. */
  readonly endedAt: number;
  /** How late an `EndRound` may come after its round's end (default 10 s). */
  readonly graceMs?: number;
}

/** Checks one client's `EndRound`s against its connections; `events` in wire order. */
export function checkDelivery(events: readonly SoakEvent[], options: DeliveryOptions): Delivery {
  const { endedAt, graceMs = 10_000 } = options;
  const seen = new Map<number, number>();
  const missed: number[] = [];
  const downReasons: Record<string, number> = {};
  let expected = 0;
  let received = 0;
  let unexpectedDowns = 0;
  let expectedDowns = 0;
  let open: { roundId: number; endsAt: number; durationMs: number; got: Set<number> } | undefined;

  function closeConnection(until: number): void {
    if (open === undefined) return;
    // Rounds that started after this connection joined and ended (with grace) before it left.
    for (let id = open.roundId + 1;; id++) {
      const end = open.endsAt + (id - open.roundId) * open.durationMs;
      if (end + graceMs > until) break;
      expected++;
      if (!open.got.has(id)) missed.push(id);
    }
    open = undefined;
  }

  for (const event of events) {
    if (event.kind === "join") {
      // A reconnection without a `down` before it (the client said nothing) still starts anew.
      closeConnection(event.at);
      open = {
        roundId: event.roundId,
        endsAt: event.roundEndsAt,
        durationMs: event.roundDurationMs,
        got: new Set(),
      };
    } else if (event.kind === "end") {
      received++;
      seen.set(event.roundId, (seen.get(event.roundId) ?? 0) + 1);
      open?.got.add(event.roundId);
    } else if (event.kind === "down") {
      closeConnection(event.at);
      if (event.expected) expectedDowns++;
      else {
        unexpectedDowns++;
        downReasons[event.reason] = (downReasons[event.reason] ?? 0) + 1;
      }
    }
  }
  closeConnection(endedAt);
  const duplicated = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  return {
    expected,
    received,
    missed,
    duplicated,
    unexpectedDowns,
    expectedDowns,
    downReasons,
  };
}
