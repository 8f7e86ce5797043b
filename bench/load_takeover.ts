/**
 * Takeover when the leader of several servers fails. `--url` lists the
 * servers and `--pids` their process ids, in the same order; one client joins
 * each. For each signal of `--signals` in turn (`SIGKILL`, `SIGSTOP`) the
 * mode finds the leader from `/healthz`, sends it the signal just after a
 * round was announced (so no announcement is under way), and times from the
 * signal until another server's `/healthz` says `leader` (polled every
 * 50 ms) and until the next `EndRound`, of a round whose deadline falls after
 * the signal, reaches the client of a surviving server. A stopped leader then
 * gets SIGCONT, two rounds to come back as a follower, and SIGKILL.
 *
 * It also checks what the last surviving client received over the whole run:
 * every round once, in order.
 *
 * @module
 */

import { closeAll, END_ROUND_MARK, joinMany } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { splitRecords } from "../src/hub/wire.ts";
import { round3 } from "./stats.ts";
import { nowMs, sleep } from "./timing.ts";

/** How long a leader or an `EndRound` is waited for before the figure is left out. */
const GIVE_UP_MS = 10_000;
const POLL_MS = 50;

/** One failure of the leader and how long the others took to carry on. */
export interface Takeover {
  readonly signal: string;
  /** Signal → another server's `/healthz` says leader (NaN: none within 10 s). */
  readonly leaderMs: number;
  /** Signal → the next `EndRound` at a client of a surviving server (NaN: none within 10 s). */
  readonly endRoundMs: number;
}

/** Result of one takeover run. */
export interface TakeoverResult {
  readonly takeovers: readonly Takeover[];
  /** Rounds the last surviving client received. */
  readonly rounds: number;
  /** Whether they came once each, in order: 1 or 0. */
  readonly inOrder: number;
}

interface Server {
  readonly base: string;
  readonly pid: number;
  /** `EndRound`s its client received: when, and the round and its deadline. */
  readonly receipts: { at: number; roundId: number; deadline: number }[];
}

async function role(server: Server): Promise<string | undefined> {
  try {
    const response = await fetch(new URL("/healthz", server.base), {
      signal: AbortSignal.timeout(1000),
    });
    return (await response.json()).role;
  } catch {
    return undefined;
  }
}

/**
 * Polls `/healthz` of `servers` every 50 ms from `since` until one says
 * leader; resolves with it and when its answer came, or undefined after 10 s.
 */
async function awaitLeader(
  servers: readonly Server[],
  since: number,
): Promise<{ leader: Server; at: number } | undefined> {
  for (let poll = 0; nowMs() - since < GIVE_UP_MS; poll++) {
    const roles = await Promise.all(servers.map(role));
    const at = nowMs();
    const index = roles.indexOf("leader");
    if (index !== -1) return { leader: servers[index], at };
    await sleep(Math.max(0, since + (poll + 1) * POLL_MS - nowMs()));
  }
  return undefined;
}

/** The first `EndRound` at `servers`' clients whose deadline is after `after`; its receipt time. */
async function awaitEndRound(servers: readonly Server[], after: number): Promise<number> {
  while (nowMs() - after < GIVE_UP_MS) {
    const times = servers.flatMap((s) => s.receipts).filter((r) => r.deadline > after)
      .map((r) => r.at);
    if (times.length > 0) return Math.min(...times);
    await sleep(5);
  }
  return NaN;
}

/** Runs the takeovers described by the flags (see module doc). */
export async function takeoverLoad(ctx: LoadContext): Promise<TakeoverResult> {
  const pids = ctx.nums("pids");
  const signals = (ctx.flags.get("signals") ?? "SIGKILL").split(",");
  if (pids.length !== ctx.bases.length || signals.length >= ctx.bases.length) {
    throw new TypeError("--pids must name each server of --url, and one must survive --signals");
  }
  const servers: Server[] = ctx.bases.map((base, i) => ({ base, pid: pids[i], receipts: [] }));
  const joined = await joinMany(servers.length, ctx.urlOf);
  const roundMs = joined[0].gameInfo.roundDurationMs;
  joined.forEach(({ socket }, i) => {
    let rest = "";
    socket.onmessage = (data) => {
      const at = nowMs();
      const split = splitRecords(rest, data);
      rest = split.rest;
      for (const record of split.records) {
        if (!record.includes(END_ROUND_MARK)) continue;
        const { roundId, nextRoundEndsAt } = JSON.parse(record).arguments[0];
        servers[i].receipts.push({ at, roundId, deadline: nextRoundEndsAt - roundMs });
      }
    };
    socket.onclose = () => {};
  });
  let alive = [...servers];
  const takeovers: Takeover[] = [];
  for (const signal of signals) {
    const found = await awaitLeader(alive, nowMs());
    if (!found) throw new Error(`No leader among ${alive.length} servers before ${signal}`);
    const { leader } = found;
    alive = alive.filter((server) => server !== leader);
    // Just after the next announcement: mid-round, with no announcement under way.
    await awaitEndRound(
      alive,
      Math.max(...alive.flatMap((s) => s.receipts.map((r) => r.deadline))),
    );
    await sleep(roundMs / 5);
    const sent = nowMs();
    Deno.kill(leader.pid, signal === "SIGSTOP" ? "SIGSTOP" : "SIGKILL");
    const [next, endRoundAt] = await Promise.all([
      awaitLeader(alive, sent),
      awaitEndRound(alive, sent),
    ]);
    takeovers.push({
      signal,
      leaderMs: round3(next ? next.at - sent : NaN),
      endRoundMs: round3(endRoundAt - sent),
    });
    if (signal === "SIGSTOP") {
      Deno.kill(leader.pid, "SIGCONT");
      await sleep(2 * roundMs);
      Deno.kill(leader.pid, "SIGKILL");
    }
  }
  await sleep(2 * roundMs);
  closeAll(joined);
  const ids = alive[0].receipts.map((r) => r.roundId);
  const inOrder = ids.every((id, i) => i === 0 || id === ids[i - 1] + 1);
  return { takeovers, rounds: ids.length, inOrder: inOrder ? 1 : 0 };
}
