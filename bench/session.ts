/**
 * What every scenario builds on: a target server, a session on a freshly
 * started copy of it, and runs retried when other work on the machine got in
 * the way.
 *
 * @module
 */

import { startServer } from "./processes.ts";
import { waitForQuiet } from "./proc.ts";

/**
 * Which limits the project runs with: `raised` moves its per-client limits
 * out of the way, to measure its speed; `default` keeps what it ships with,
 * to measure its defences. The baseline has no limits either way.
 */
export type Limits = "raised" | "default";

/** A server to measure: how to start it, and its players' accounts file. */
export interface Target {
  readonly name: string;
  readonly script: string;
  /** Environment for a session with rounds of `roundSeconds`. */
  env(roundSeconds: number, limits: Limits): Promise<Record<string, string>>;
  readonly accounts?: string;
}

/** Figures of one repeat, by metric id (see `report.ts`). */
export type Figures = Record<string, number>;

/** Other work on the machine seen during measured windows, and the runs retried for it. */
export interface Noise {
  retries: number;
  /** Most cores used by other processes during a kept run. */
  worst: number;
  /** `performance.now()` after which runs neither wait for quiet nor retry, to end in time. */
  patientUntil: number;
}

/** Above this many cores of other work, a run is retried (twice at most). */
export const NOISE_LIMIT = 0.2;

/** Load flags every scenario passes: the server's URL and pid, and the accounts file. */
export type Base = Record<string, string | number>;

/** Runs `body` against a freshly started `target`; the server is stopped whatever happens. */
export async function session(
  target: Target,
  roundSeconds: number,
  limits: Limits,
  body: (base: Base) => Promise<void>,
): Promise<void> {
  const server = await startServer(target.script, await target.env(roundSeconds, limits));
  try {
    const base: Base = { url: server.base, "server-pid": server.pid };
    if (target.accounts) base.accounts = target.accounts;
    await body(base);
  } catch (error) {
    throw new Error(`${target.name}: ${(error as Error).message}\nserver said:\n${server.tail()}`);
  } finally {
    await server.stop();
  }
}

/**
 * Runs `attempt` until other processes used at most NOISE_LIMIT cores during
 * it (3 tries, keeping the quietest), first waiting for the machine to calm
 * down while `noise.patientUntil` allows. `pid` (0 for none) is left out of
 * that wait.
 */
export async function quietly<R>(
  noise: Noise,
  log: (s: string) => void,
  pid: number,
  attempt: () => Promise<R>,
  otherOf: (r: R) => number,
): Promise<R> {
  let best: { result: R; other: number } | undefined;
  for (let i = 0; i < 3; i++) {
    const patience = noise.patientUntil - performance.now();
    if (patience > 0) {
      await waitForQuiet(pid, { maxCores: NOISE_LIMIT / 2, maxWaitMs: Math.min(patience, 15_000) });
    }
    const result = await attempt();
    const other = otherOf(result);
    if (best === undefined || other < best.other) best = { result, other };
    if (!(other > NOISE_LIMIT) || performance.now() > noise.patientUntil) break;
    noise.retries++;
    log(`  other processes used ${other.toFixed(2)} cores meanwhile; running it again`);
  }
  noise.worst = Math.max(noise.worst, best!.other);
  return best!.result;
}
