/**
 * A round ended: every client of this server is told with one `EndRound`,
 * and the log says how late it went out and how long sending took. Both
 * backends announce through here.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Hub } from "./hub/hub.ts";
import type { EndRound } from "./hub/wire.ts";

const log = getLogger(["clicker", "round"]);

/** Told each round this server announced: seconds late after its deadline, seconds to send. */
export type RoundObserver = (latenessSeconds: number, fanoutSeconds: number) => void;

/**
 * Tells every client of `hub` that a round ended, and logs it with how late
 * after its deadline (`nextRoundEndsAt` less a round) the last `EndRound`
 * was written and how long writing them all took.
 */
export function announceRound(
  hub: Hub,
  endRound: EndRound,
  roundDurationMs: number,
  observed?: RoundObserver,
): void {
  const start = performance.now();
  // A large broadcast goes out in batches: the figures wait for the last one.
  hub.broadcast("EndRound", endRound, {
    sent: () => {
      const fanoutMs = performance.now() - start;
      const latenessMs = Date.now() - (endRound.nextRoundEndsAt - roundDurationMs);
      log.info("round ended", {
        roundId: endRound.roundId,
        winners: endRound.winners,
        nbClicks: endRound.nbClicks,
        players: hub.registry.online,
        connections: hub.registry.size,
        latenessMs,
        fanoutMs: Math.round(fanoutMs * 10) / 10,
      });
      observed?.(latenessMs / 1000, fanoutMs / 1000);
    },
  });
}
