/**
 * The race when several servers play one game. Every counted move updates
 * the round's sorted set in Redis in the click script (`click_batch.ts`),
 * so the race is one across servers. Each server that has watchers reads
 * it every {@linkcode RACE_READ_MS}: the top 10, how many scored, and the
 * score and place of each player watching here, in one script call. When
 * what it read differs from the last read, the hub is told, and its
 * `RaceWatch` sends each watcher what changed for them.
 *
 * Redis knows players by id; names come from PostgreSQL, once per player
 * (a username never changes).
 *
 * @module
 */

import type { RaceView } from "../hub/race_watch.ts";
import type { RaceEntry } from "../hub/wire.ts";
import type { Sleep } from "../sleep.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { RedisScript } from "./redis_script.ts";
import { errorMessage } from "../log/error_message.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import { getLogger } from "@logtape/logtape";

/** How often the race is read while someone here watches it, in ms. */
export const RACE_READ_MS = 100;

/** How many the top holds. */
const TOP = 10;

/**
 * KEYS: round hash. ARGV: scores prefix, then the ids of the players whose
 * place to read. Replies `{roundId, players, n, n × (id, score), then
 * (rank, score) per asked player}`, rank 0 for one who has not scored; `{0}`
 * without a round.
 */
const READ_RACE = new RedisScript(`
local id = redis.call('HGET', KEYS[1], 'id')
if not id then return {0} end
local scores = ARGV[1] .. id
local race = scores .. ':race'
local top = redis.call('ZREVRANGE', race, 0, ${TOP - 1})
local out = { tonumber(id), redis.call('ZCARD', race), #top }
for _, member in ipairs(top) do
  out[#out + 1] = tonumber(member)
  out[#out + 1] = tonumber(redis.call('HGET', scores, 's' .. member)) or 0
end
for i = 2, #ARGV do
  local rank = redis.call('ZREVRANK', race, ARGV[i])
  if rank then
    out[#out + 1] = rank + 1
    out[#out + 1] = tonumber(redis.call('HGET', scores, 's' .. ARGV[i])) or 0
  else
    out[#out + 1] = 0
    out[#out + 1] = 0
  end
end
return out
`);

/** What {@linkcode RaceReader} needs. */
export interface RaceReaderDeps {
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  /** Players with a connection here that watches the race. */
  readonly watching: () => Iterable<number>;
  /** The names of players by id (those it knows). */
  readonly names: (ids: readonly number[]) => Promise<Map<number, string>>;
  /** What was read differs from the read before. */
  readonly onChange: () => void;
  readonly sleep: Sleep;
  /** Where a failed read is reported (default: the `clicker.cluster` logger). */
  readonly log?: ProblemLog;
  /** Between two reads, in ms (default {@linkcode RACE_READ_MS}). */
  readonly intervalMs?: number;
}

/** The shared race as this server last read it. */
export class RaceReader implements RaceView {
  readonly #deps: RaceReaderDeps;
  readonly #stop = new AbortController();
  readonly #names = new Map<number, string>();
  #roundId = 0;
  #size = 0;
  #top: RaceEntry[] = [];
  #places = new Map<number, { rank: number; score: number }>();
  #said = "";
  #version = 0;
  #done: Promise<void> = Promise.resolve();

  constructor(deps: RaceReaderDeps) {
    this.#deps = deps;
  }

  /** The round the race was read for (0 before the first read). */
  get roundId(): number {
    return this.#roundId;
  }

  get size(): number {
    return this.#size;
  }

  /** Grows with every read that differs from the one before. */
  get version(): number {
    return this.#version;
  }

  top(n: number): readonly RaceEntry[] {
    return n >= this.#top.length ? this.#top : this.#top.slice(0, n);
  }

  rankOf(playerId: number): number | null {
    return this.#places.get(playerId)?.rank ?? null;
  }

  scoreOf(playerId: number): number {
    return this.#places.get(playerId)?.score ?? 0;
  }

  /** Starts reading. */
  start(): void {
    this.#done = this.#run();
  }

  /** Stops reading; safe to call twice. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }

  /** Reads the race once (when someone here watches); resolves once it is in. */
  async read(): Promise<void> {
    const ids = [...new Set(this.#deps.watching())];
    if (ids.length === 0) return;
    const { redis, keys } = this.#deps;
    const reply = await READ_RACE.run(redis, [keys.round], [keys.scores, ...ids]) as number[];
    const said = reply.join(" ");
    if (said === this.#said) return;
    const [roundId, size, n] = reply;
    if (roundId === 0) return;
    const topIds: number[] = [];
    for (let i = 0; i < n; i++) topIds.push(reply[3 + 2 * i]);
    const missing = topIds.filter((id) => !this.#names.has(id));
    if (missing.length > 0) {
      for (const [id, name] of await this.#deps.names(missing)) this.#names.set(id, name);
    }
    const top: RaceEntry[] = [];
    for (let i = 0; i < n; i++) {
      const username = this.#names.get(topIds[i]);
      if (username !== undefined) top.push({ username, score: reply[4 + 2 * i] });
    }
    const places = new Map<number, { rank: number; score: number }>();
    const from = 3 + 2 * n;
    for (const [i, id] of ids.entries()) {
      const rank = reply[from + 2 * i];
      if (rank > 0) places.set(id, { rank, score: reply[from + 2 * i + 1] });
    }
    this.#said = said;
    this.#roundId = roundId;
    this.#size = size;
    this.#top = top;
    this.#places = places;
    this.#version++;
    this.#deps.onChange();
  }

  async #run(): Promise<void> {
    const { sleep } = this.#deps;
    const stop = this.#stop.signal;
    const interval = this.#deps.intervalMs ?? RACE_READ_MS;
    let failing = false;
    while (!stop.aborted) {
      try {
        await this.read();
        failing = false;
      } catch (error) {
        // Redis or PostgreSQL out of reach: the race waits; the game says so elsewhere.
        if (!failing) {
          (this.#deps.log ?? getLogger(["clicker", "cluster"])).warning(
            "Cannot read the race; it waits",
            { error: errorMessage(error) },
          );
        }
        failing = true;
      }
      await sleep(interval, stop).catch(() => {});
    }
  }
}
