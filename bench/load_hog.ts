/**
 * One account flooding: `--sockets` connections of player `--player` each
 * send `Increment` invocations flat out, `--batch` records per write and the
 * next write as soon as the last one left, until the bench stops the mode (or
 * `--hold-ms` passes). A connection the server closes is opened again at
 * once, as an attacker would. The answers are read (an attacker who stops
 * reading gets dropped as too slow) and counted. The mode says it is ready
 * once every socket has joined and flooded for `--warmup-ms`.
 *
 * @module
 */

import { COMPLETION_MARK, incrementRecord, joinHub } from "./hub_client.ts";
import type { LoadContext } from "./load_context.ts";
import { round3 } from "./stats.ts";
import { sleep } from "./timing.ts";

/** Result of one flood. */
export interface HogResult {
  readonly sockets: number;
  /** Invocations written, and answered, per second. */
  readonly sentPerSecond: number;
  readonly answeredPerSecond: number;
  /** Connections opened while flooding after the warm-up, per second (one per close). */
  readonly reconnectsPerSecond: number;
  readonly joinFailures: number;
}

/** Runs the flood described by the flags (see module doc). */
export async function hogLoad(ctx: LoadContext): Promise<HogResult> {
  const sockets = ctx.num("sockets", 5);
  const url = ctx.urlOf(ctx.num("player", 0));
  const batch = ctx.num("batch", 50);
  const holdMs = ctx.num("hold-ms", 30_000);
  const warmupMs = ctx.num("warmup-ms", 300);
  let running = true;
  let sent = 0;
  let answered = 0;
  let connections = 0;
  let joinFailures = 0;

  async function flood(): Promise<void> {
    let id = 0;
    while (running) {
      let open = true;
      let socket;
      try {
        ({ socket } = await joinHub(url, 5000));
      } catch {
        joinFailures++;
        await sleep(50);
        continue;
      }
      connections++;
      socket.onmessage = (data) => {
        for (
          let at = data.indexOf(COMPLETION_MARK);
          at !== -1;
          at = data.indexOf(COMPLETION_MARK, at + 1)
        ) {
          answered++;
        }
      };
      socket.onclose = () => open = false;
      while (running && open) {
        for (let i = 0; i < batch; i++) socket.send(incrementRecord(++id));
        sent += batch;
        await socket.flushed();
        // Let answers and the close be read between writes.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      socket.close();
    }
  }

  const floods = Array.from({ length: sockets }, flood);
  const joining = performance.now();
  while (connections < sockets && performance.now() - joining < 10_000) await sleep(10);
  await sleep(warmupMs);
  ctx.ready();
  const started = performance.now();
  const [sent0, answered0, connections0] = [sent, answered, connections];
  await Promise.race([ctx.stopped, sleep(holdMs)]);
  running = false;
  const seconds = (performance.now() - started) / 1000;
  const [sentAt, answeredAt, opened] = [
    sent - sent0,
    answered - answered0,
    connections - connections0,
  ];
  await Promise.race([Promise.all(floods), sleep(1000)]);
  return {
    sockets,
    sentPerSecond: round3(sentAt / seconds),
    answeredPerSecond: round3(answeredAt / seconds),
    reconnectsPerSecond: round3(opened / seconds),
    joinFailures,
  };
}
