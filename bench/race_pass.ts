/**
 * `deno run -A bench/race_pass.ts`: the JavaScript a `Race` costs the hub,
 * without the network. One process, the real hub and game, `--watchers`
 * (default 5,000) connections whose sockets only count what they are sent,
 * each watching the race; a player at the top clicks before every pass, so
 * every pass sends every watcher a `Race`. Prints µs per `Race` for each
 * protocol, with watchers each at its own place (they scored) and with
 * watchers who have not scored. What the transport and the kernel add per
 * message (framing, the write) is `bench/race.ts`'s to measure. Then what
 * keeping the race in order costs a click (`RaceRanking.set()`): 100
 * players clicking in turn above 0, 5,000 or 20,000 who scored once.
 *
 * @module
 */

import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { MessageType } from "@microsoft/signalr";
import { Hub, type HubConnection } from "../src/hub/hub.ts";
import type { Socket } from "../src/hub/connection.ts";
import { GameState } from "../src/game/game_state.ts";
import { RaceRanking } from "../src/game/race_ranking.ts";
import { quietLog } from "../src/log/problem_log.ts";
import { HubMethod, RECORD_SEPARATOR } from "../src/hub/wire.ts";

const WARM_UP = 10;
const packer = new MessagePackHubProtocol();

function flagsOf(args: readonly string[]): Map<string, string> {
  return new Map(args.map((arg) => {
    const [name, ...rest] = arg.replace(/^--/, "").split("=");
    return [name, rest.join("=") || "true"] as const;
  }));
}

/** Invocations of `target` in the protocol, and its handshake. */
function speaker(protocol: "json" | "messagepack") {
  const handshake = `{"protocol":"${protocol}","version":1}${RECORD_SEPARATOR}`;
  const invoke = (target: string) =>
    protocol === "json"
      ? JSON.stringify({ type: MessageType.Invocation, target, arguments: [] }) + RECORD_SEPARATOR
      : new Uint8Array(packer.writeMessage({
        type: MessageType.Invocation,
        target,
        arguments: [],
        streamIds: [],
      }));
  return { handshake, invoke };
}

/** µs of one `Race` over `passes` passes, each after one click at the top. */
function measure(
  protocol: "json" | "messagepack",
  watchers: number,
  passes: number,
  scored: boolean,
): number {
  let now = 1_000;
  let pass: (() => void) | undefined;
  const game = new GameState({ maxClicksPerSecond: 1e9 });
  game.open(1, 0, 1e12);
  const hub = new Hub({
    game,
    now: () => now,
    roundDurationMs: 1e12,
    log: quietLog,
    lastRound: () => null,
    raceSchedule: (run) => {
      pass = run;
      return () => (pass = undefined);
    },
  });
  let sent = 0;
  const socket = (): Socket => ({ send: () => sent++, close() {}, bufferedAmount: 0 });
  const { handshake, invoke } = speaker(protocol);
  const connections: HubConnection[] = [];
  for (let i = 0; i < watchers; i++) {
    const connection = hub.open(socket(), { id: i + 1, username: `p${i}`, expiresAt: 1e15 }, 0);
    hub.message(connection, handshake);
    hub.message(connection, invoke(HubMethod.WatchRace));
    // Scores 1 to 50: the first 50 hold 50 places, the top among them.
    if (scored || i === 0) {
      for (let k = 0; k < 50 - (i % 50); k++) hub.message(connection, invoke(HubMethod.Increment));
    }
    connections.push(connection);
  }
  const click = invoke(HubMethod.Increment);
  const round = () => {
    now += 300;
    hub.message(connections[0], click);
    pass?.();
  };
  for (let i = 0; i < WARM_UP; i++) round();
  sent = 0;
  const start = performance.now();
  for (let i = 0; i < passes; i++) round();
  const ms = performance.now() - start;
  hub.registry.closeAll();
  if (sent < passes * watchers) throw new Error(`Only ${sent} of ${passes * watchers} Race sent`);
  return ms * 1000 / sent;
}

/** µs of one `RaceRanking.set()` by one of 100 clickers, with `behind` players below them. */
function rankingMove(behind: number, moves: number): number {
  const race = new RaceRanking();
  let now = 1;
  for (let i = 0; i < behind; i++) race.set(1000 + i, `w${i}`, 1, now++);
  const scores = new Array<number>(100).fill(1);
  const move = (k: number) => {
    const i = k % 100;
    race.set(i, `c${i}`, ++scores[i], now++);
  };
  for (let k = 0; k < 1000; k++) move(k);
  const start = performance.now();
  for (let k = 0; k < moves; k++) move(k);
  return (performance.now() - start) * 1000 / moves;
}

if (import.meta.main) {
  const flags = flagsOf(Deno.args);
  const watchers = Number(flags.get("watchers") ?? 5000);
  const passes = Number(flags.get("passes") ?? 40);
  console.log(`| protocol | watchers who scored | watchers who have not |`);
  console.log(`| --- | --: | --: |`);
  for (const protocol of ["json", "messagepack"] as const) {
    const scored = measure(protocol, watchers, passes, true);
    const unscored = measure(protocol, watchers, passes, false);
    console.log(`| ${protocol} | ${scored.toFixed(2)} µs | ${unscored.toFixed(2)} µs |`);
  }
  console.log("");
  console.log(`| players behind 100 clickers | RaceRanking.set() |`);
  console.log(`| --: | --: |`);
  for (const behind of [0, 5000, 20_000]) {
    console.log(`| ${behind} | ${rankingMove(behind, 100_000).toFixed(2)} µs |`);
  }
}
