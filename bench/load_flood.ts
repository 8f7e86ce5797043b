/**
 * Click flood: N players each keep a bounded window of `Increment`
 * invocations in flight and the generator counts the completions whose result
 * says `"counted":true`, per second of a measured window after a warm-up.
 * With `--rate=R` each player instead sends R clicks a second, evenly paced
 * (still never more than the window in flight).
 *
 * Both servers answer every invocation that carries an `invocationId`, so the
 * count is what the server itself accepted. Each record goes in its own
 * WebSocket message, as the official client sends them (`--batch=N` packs N,
 * which the contract also allows). Every `EndRound` received is
 * also timed against the deadline of the round it closes; those receipts queue
 * behind the flood's own answers, so the lateness scenario reads its figure
 * from idle observers (`load_observe.ts`) instead.
 *
 * `--helper-pid` names a process the server leans on (Redis, in clustered
 * mode): its CPU over the same window is reported, and left out of the noise.
 * `--ours` lists more processes of the bench's own (the other servers of a
 * cluster, the observers beside the flood) to leave out of it.
 *
 * `--phase-ms=P` cuts the measured window into phases on the wall clock's
 * grid of P ms (phase k runs from k × P to (k + 1) × P, epoch ms): the window
 * starts at the first boundary after the warm-up and holds whole phases, and
 * the clicks counted and the server's CPU seconds are reported for each, so
 * that another process on the same grid (a scraper working in even phases
 * only) can be compared phase by phase.
 *
 * @module
 */

import {
  closeAll,
  COMPLETION_MARK,
  END_ROUND_MARK,
  incrementRecord,
  joinMany,
} from "./hub_client.ts";
import { RECORD_SEPARATOR } from "../src/hub/wire.ts";
import type { LoadContext } from "./load_context.ts";
import { quantile, round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";
import { cpuSeconds, cpuSnapshot, cpuUsage } from "./proc.ts";

const COMPLETION = new RegExp(`${COMPLETION_MARK}[,}]`);

/** Result of one flood run. */
export interface FloodResult {
  readonly players: number;
  readonly clicksPerSecond: number;
  readonly completionsPerSecond: number;
  readonly errors: number;
  /** Share of one core the server used during the measured window (needs `--server-pid`). */
  readonly serverCpu: number;
  /**
   * The server's CPU time over the measured window divided by the clicks
   * counted in it, in µs; NaN when the server got no CPU time at all meanwhile
   * (a machine too busy to run it: the clicks counted were answers already sent).
   */
  readonly serverCpuPerClickUs: number;
  /** Share of one core the `--helper-pid` process used during the measured window (or NaN). */
  readonly helperCpu: number;
  /** Share of one core this load process used during the measured window. */
  readonly loadCpu: number;
  /** Cores used by everything else on the machine meanwhile (noise). */
  readonly otherCpu: number;
  readonly endRounds: number;
  readonly latenessP50Ms: number;
  readonly latenessP99Ms: number;
  readonly latenessMaxMs: number;
  /** With `--phase-ms`: the first phase's index on the grid, then each phase's figures. */
  readonly firstPhase?: number;
  readonly phaseClicks?: readonly number[];
  readonly phaseServerSeconds?: readonly number[];
}

/** Runs the flood described by the context's flags (see module doc). */
export async function floodLoad(ctx: LoadContext): Promise<FloodResult> {
  const players = ctx.num("players", 10);
  const window = ctx.num("window", 64);
  const batch = Math.min(window, ctx.num("batch", 1));
  const warmupMs = ctx.num("warmup-ms", 500);
  const durationMs = ctx.num("duration-ms", 3000);
  const pid = ctx.num("server-pid", 0);
  const rate = ctx.num("rate", 0);
  const helper = ctx.num("helper-pid", 0);
  const phaseMs = ctx.num("phase-ms", 0);
  const ours = ctx.nums("ours");
  const joined = await joinMany(players, ctx.urlOf);
  const roundMs = joined[0].gameInfo.roundDurationMs;

  let counted = 0;
  let completed = 0;
  let errors = 0;
  let sending = true;
  let nextId = 1;
  const lateness: number[] = [];
  let measureFrom = Infinity;
  let measureTo = Infinity;

  const refills: (() => void)[] = [];
  for (const { socket } of joined) {
    let inFlight = 0;
    let credit = 0;
    let creditedAt = nowMs();
    // Unpaced: keep the window full. Paced: each tick grants the clicks due since the last.
    const refill = rate > 0
      ? () => {
        const now = nowMs();
        credit = Math.min(credit + rate * (now - creditedAt) / 1000, Math.max(1, rate / 10));
        creditedAt = now;
        while (sending && credit >= 1 && inFlight < window) {
          credit--;
          inFlight++;
          socket.send(incrementRecord(nextId++));
        }
      }
      : () => {
        while (sending && inFlight <= window - batch) {
          let frame = "";
          for (let i = 0; i < batch; i++) frame += incrementRecord(nextId++);
          inFlight += batch;
          socket.send(frame);
        }
      };
    socket.onmessage = (data) => {
      const at = nowMs();
      let from = 0;
      for (
        let end = data.indexOf(RECORD_SEPARATOR);
        end !== -1;
        end = data.indexOf(RECORD_SEPARATOR, from)
      ) {
        const record = data.slice(from, end);
        from = end + 1;
        if (COMPLETION.test(record)) {
          inFlight--;
          completed++;
          if (record.includes('"counted":true')) counted++;
          else if (record.includes('"error"')) errors++;
        } else if (record.includes(END_ROUND_MARK)) {
          const deadline = JSON.parse(record).arguments[0].nextRoundEndsAt - roundMs;
          if (deadline >= measureFrom && deadline <= measureTo) lateness.push(at - deadline);
        }
      }
      if (rate === 0) refill();
    };
    refills.push(refill);
  }
  const ticker = rate > 0 ? setInterval(() => refills.forEach((refill) => refill()), 10) : 0;
  refills.forEach((refill) => refill());

  await sleep(warmupMs);
  const phases = phaseMs > 0 ? Math.max(1, Math.floor(durationMs / phaseMs)) : 0;
  const firstPhase = phases > 0 ? Math.ceil(nowMs() / phaseMs) : 0;
  if (phases > 0) await sleep(firstPhase * phaseMs - nowMs());
  const start = nowMs();
  const [counted0, completed0] = [counted, completed];
  const cpu0 = cpuSnapshot(pid, ours);
  const helper0 = helper ? cpuSeconds(helper) : NaN;
  measureFrom = start;
  measureTo = start + (phases > 0 ? phases * phaseMs : durationMs);
  const phaseClicks: number[] = [];
  const phaseServerSeconds: number[] = [];
  let [clicksAt, serverAt] = [counted0, cpu0.server];
  for (let k = 1; k <= phases; k++) {
    await sleep((firstPhase + k) * phaseMs - nowMs());
    const server = cpuSeconds(pid);
    phaseClicks.push(counted - clicksAt);
    phaseServerSeconds.push(server - serverAt);
    [clicksAt, serverAt] = [counted, server];
  }
  if (phases === 0) await sleep(durationMs);
  const seconds = (nowMs() - start) / 1000;
  const [counted1, completed1] = [counted, completed];
  const cpu1 = cpuSnapshot(pid, ours);
  const cpu = cpuUsage(cpu0, cpu1);
  const helperCpu = helper ? (cpuSeconds(helper) - helper0) / seconds : NaN;
  sending = false;
  clearInterval(ticker);
  await sleep(200); // let answers in flight land before closing
  closeAll(joined);
  return {
    players,
    clicksPerSecond: Math.round((counted1 - counted0) / seconds),
    completionsPerSecond: Math.round((completed1 - completed0) / seconds),
    errors,
    serverCpu: round3(cpu.server),
    serverCpuPerClickUs: cpu1.server > cpu0.server
      ? round3((cpu1.server - cpu0.server) / (counted1 - counted0) * 1e6)
      : NaN,
    helperCpu: round3(helperCpu),
    loadCpu: round3(cpu.self),
    otherCpu: round3(cpu.other - (helperCpu || 0)),
    endRounds: lateness.length,
    latenessP50Ms: round3(quantile(lateness, 0.5)),
    latenessP99Ms: round3(quantile(lateness, 0.99)),
    latenessMaxMs: round3(quantile(lateness, 1)),
    ...phases > 0 ? { firstPhase, phaseClicks, phaseServerSeconds } : {},
  };
}
