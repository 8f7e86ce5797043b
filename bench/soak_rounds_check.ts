/**
 * The recorded rounds against what the clients saw: every round in the
 * database must name the winners, the winning score and the number of
 * players that the players' own answered clicks add up to, and every
 * `EndRound` a client received must say what the database says. Where lost
 * clicks leave a player's score a range, the round must fit the ranges.
 *
 * @module
 */

import type { Span } from "./soak_scores.ts";

/** A round as the database recorded it. */
export interface RecordedRound {
  readonly id: number;
  readonly nbClicks: number;
  readonly players: number;
  readonly winners: readonly string[];
}

/** An `EndRound` as one client received it. */
export interface HeardRound {
  readonly client: string;
  readonly roundId: number;
  readonly winners: readonly string[];
  readonly nbClicks: number;
}

/** What {@linkcode checkRounds} found. */
export interface RoundsCheck {
  readonly checked: number;
  /** Rounds where some player's score was a range (lost clicks), checked for fit only. */
  readonly ranged: number;
  readonly problems: readonly string[];
}

const EXACT: Span = { lo: 0, hi: 0 };

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const key = (names: readonly string[]) => [...names].map((n) => n.toLowerCase()).sort().join();
  return key(a) === key(b);
}

/**
 * Compares each recorded round with the players' scores (`scores`: username →
 * round id → span; a round absent is 0) and with every `EndRound` heard.
 */
export function checkRounds(
  recorded: readonly RecordedRound[],
  scores: ReadonlyMap<string, ReadonlyMap<number, Span>>,
  heard: readonly HeardRound[],
): RoundsCheck {
  const problems: string[] = [];
  let ranged = 0;
  const byId = new Map(recorded.map((round) => [round.id, round]));
  for (const round of recorded) {
    const spans = [...scores].map(([name, rounds]) =>
      [name, rounds.get(round.id) ?? EXACT] as const
    );
    const exact = spans.every(([, span]) => span.lo === span.hi);
    if (exact) {
      const top = Math.max(0, ...spans.map(([, span]) => span.lo));
      const winners = top > 0 ? spans.filter(([, span]) => span.lo === top).map(([n]) => n) : [];
      const players = spans.filter(([, span]) => span.lo > 0).length;
      if (
        round.nbClicks !== top || round.players !== players || !sameNames(round.winners, winners)
      ) {
        problems.push(
          `round ${round.id}: recorded ${round.nbClicks} by [${round.winners}] of ${round.players} ` +
            `players; the answered clicks add up to ${top} by [${winners}] of ${players}`,
        );
      }
      continue;
    }
    ranged++;
    const fits = round.winners.every((name) => {
      const span = scores.get(name)?.get(round.id) ?? EXACT;
      return span.lo <= round.nbClicks && round.nbClicks <= span.hi;
    }) && spans.every(([name, span]) =>
      round.winners.some((w) =>
        w.toLowerCase() === name.toLowerCase()
      ) || span.lo < round.nbClicks ||
      round.nbClicks === 0
    ) && round.players >= spans.filter(([, span]) => span.lo > 0).length &&
      round.players <= spans.filter(([, span]) => span.hi > 0).length;
    if (!fits) {
      const shown = spans.filter(([, s]) => s.hi > 0).map(([n, s]) =>
        `${n} ${s.lo === s.hi ? s.lo : `${s.lo}–${s.hi}`}`
      );
      problems.push(
        `round ${round.id}: recorded ${round.nbClicks} by [${round.winners}] of ${round.players} ` +
          `players, which does not fit the answered clicks: ${shown.join(", ")}`,
      );
    }
  }
  for (const end of heard) {
    const round = byId.get(end.roundId);
    if (round === undefined) {
      problems.push(`${end.client}: EndRound for round ${end.roundId}, which was never recorded`);
    } else if (round.nbClicks !== end.nbClicks || !sameNames(round.winners, end.winners)) {
      problems.push(
        `${end.client}: EndRound ${end.roundId} said ${end.nbClicks} by [${end.winners}], ` +
          `recorded ${round.nbClicks} by [${round.winners}]`,
      );
    }
  }
  return { checked: recorded.length, ranged, problems };
}
