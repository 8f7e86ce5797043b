/**
 * Which round each answered click of one player's tabs counted in. The tabs
 * share one score and click in no common order, so the single-connection
 * reading of `soak_scores.ts` can't apply; instead the tabs only click (never
 * buy), so every counted click of a round raises the score by exactly 1, and
 * the answers of all tabs in a round must be 1, 2, … N, each once.
 *
 * In each tab a click belongs to the round it was answered in, unless its
 * score is not above the last this tab saw in that round: then the server
 * had already started the next one. A tab's first click of a round can't be
 * told apart that way; it stays in its round unless that round already has
 * its score, in which case it moves to the next. Clicks lost with their
 * connection may fill gaps at the end of a round: the round's score is then
 * a range.
 *
 * @module
 */

import type { SoakEvent } from "./soak_events.ts";
import type { PlayerScores, Span } from "./soak_scores.ts";

interface Answer {
  readonly round: number;
  readonly score: number;
  /** A tab's first click of the round: it may belong to the next. */
  readonly first: boolean;
}

function answersOf(events: readonly SoakEvent[], lost: Map<number, number>): Answer[] {
  const answers: Answer[] = [];
  let round: number | undefined;
  let last = 0;
  let early = false;
  for (const event of events) {
    if (event.kind === "join") {
      round = event.roundId;
      last = event.score;
      early = false;
    } else if (round === undefined) {
      continue;
    } else if (event.kind === "click" && event.counted) {
      if (last > 0 && event.score <= last) {
        round++;
        early = true;
        answers.push({ round, score: event.score, first: false });
      } else {
        answers.push({ round, score: event.score, first: last === 0 });
      }
      last = event.score;
    } else if (event.kind === "lost") {
      lost.set(round, (lost.get(round) ?? 0) + 1);
    } else if (event.kind === "end") {
      if (early && event.roundId === round - 1) early = false;
      else if (event.roundId >= round) {
        round = event.roundId + 1;
        last = 0;
      }
    }
  }
  return answers;
}

/** Attributes the answered clicks of one player's tabs (each log in wire order) to rounds. */
export function attributeTabScores(tabs: readonly (readonly SoakEvent[])[]): PlayerScores {
  const lost = new Map<number, number>();
  const answers = tabs.flatMap((events) => answersOf(events, lost));
  const byRound = new Map<number, number[]>();
  const add = (round: number, score: number) => {
    const list = byRound.get(round) ?? [];
    list.push(score);
    byRound.set(round, list);
  };
  for (const answer of answers.filter((a) => !a.first)) add(answer.round, answer.score);
  for (const answer of answers.filter((a) => a.first)) {
    const taken = byRound.get(answer.round)?.includes(answer.score);
    add(taken ? answer.round + 1 : answer.round, answer.score);
  }
  const rounds = new Map<number, Span>();
  const anomalies: string[] = [];
  for (const [round, scores] of [...byRound].sort(([a], [b]) => a - b)) {
    scores.sort((a, b) => a - b);
    const top = scores[scores.length - 1];
    const twice = scores.filter((score, i) => scores[i - 1] === score);
    const missing = top - new Set(scores).size;
    const mayHaveLost = lost.get(round) ?? 0;
    if (twice.length > 0) {
      anomalies.push(`round ${round}: tabs were answered score ${twice.join(", ")} twice`);
    }
    if (missing > mayHaveLost) {
      anomalies.push(
        `round ${round}: tabs' answers skip ${missing} of 1…${top}` +
          (mayHaveLost ? ` (${mayHaveLost} clicks lost)` : ""),
      );
    }
    rounds.set(round, { lo: top, hi: top + Math.max(0, mayHaveLost - missing) });
  }
  for (const [round, count] of lost) {
    if (!rounds.has(round)) rounds.set(round, { lo: 0, hi: count });
  }
  return {
    rounds,
    anomalies,
    throttled: tabs.flat().filter((e) => e.kind === "click" && !e.counted).length,
    lost: [...lost.values()].reduce((sum, n) => sum + n, 0),
  };
}
