/**
 * `EndRound` lateness seen by idle observers: `--players` connections that
 * send nothing and time every `EndRound` against the deadline of the round it
 * closes (`nextRoundEndsAt − roundDurationMs`). Run beside a flood, in its own
 * process, so the receipts don't queue behind the flood's answers.
 *
 * @module
 */

import { closeAll, END_ROUND_MARK, joinMany } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";

/** Result of one observation. */
export interface ObserveResult {
  readonly players: number;
  readonly receipts: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Observes for `--duration-ms` after `--delay-ms`, as described above. */
export async function observeLoad(ctx: LoadContext): Promise<ObserveResult> {
  const players = ctx.num("players", 10);
  const delayMs = ctx.num("delay-ms", 1000);
  const durationMs = ctx.num("duration-ms", 3000);
  const joined = await joinMany(players, (i) => ctx.urlOf(ctx.num("first-player", 0) + i));
  const roundMs = joined[0].gameInfo.roundDurationMs;
  const lateness: number[] = [];
  let from = Infinity;
  let to = Infinity;
  for (const { socket } of joined) {
    socket.onmessage = (data) => {
      const at = nowMs();
      if (!data.includes(END_ROUND_MARK)) return;
      const match = /"nextRoundEndsAt":(\d+)/.exec(data);
      if (!match) return;
      const deadline = Number(match[1]) - roundMs;
      if (deadline >= from && deadline <= to) lateness.push(at - deadline);
    };
  }
  await sleep(delayMs);
  from = nowMs();
  to = from + durationMs;
  await sleep(durationMs + 300);
  closeAll(joined);
  return {
    players,
    receipts: lateness.length,
    p50Ms: round3(quantile(lateness, 0.5)),
    p99Ms: round3(quantile(lateness, 0.99)),
    maxMs: round3(quantile(lateness, 1)),
  };
}
