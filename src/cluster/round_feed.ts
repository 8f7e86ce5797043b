/**
 * Every server's ear on the game: a loop of blocking `XREAD`s on the event
 * stream (each announced round's `EndRound`) and on this server's own kick
 * stream (players over the connection limit, and players of this server
 * whose standing moved on another). A stream, unlike pub/sub,
 * loses nothing while a server is disconnected: it reads on from the last
 * entry it saw. After a Redis error it reads the whole (short) stream again,
 * in case Redis restarted with a new one, and skips every round it has
 * already broadcast: each socket gets each `EndRound` exactly once.
 *
 * The loop owns its connection: a blocking read holds one.
 *
 * @module
 */

import type { EndRound } from "../hub/wire.ts";
import type { Sleep } from "../sleep.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { errorMessage } from "../log/error_message.ts";
import type { ProblemLog } from "../log/problem_log.ts";
import { getLogger } from "@logtape/logtape";

/** How long one read blocks, in ms. */
const BLOCK_MS = 1000;
/** How soon a read is tried again after an error, in ms. */
const RETRY_MS = 250;

/** What {@linkcode RoundFeed} needs. */
export interface RoundFeedDeps {
  /** A connection of its own, for blocking reads. */
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  readonly serverId: string;
  /** A round was announced: broadcast it. Called once per round, in order. */
  readonly onEndRound: (endRound: EndRound) => void;
  /** A player of this server is over the connection limit: close their oldest connection. */
  readonly onKick: (playerId: number) => void;
  /** Players with connections here moved on another server (see `standing_relay.ts`). */
  readonly onMoved?: (playerIds: number[]) => void;
  readonly sleep: Sleep;
  /** Where a failing read is reported, once per outage (default: the `clicker.cluster` logger). */
  readonly log?: ProblemLog;
}

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/** Reads announced rounds and kicks, and hands them on. */
export class RoundFeed {
  readonly #deps: RoundFeedDeps;
  readonly #kicks: string;
  readonly #stop = new AbortController();
  #eventsFrom = "0-0";
  #kicksFrom = "0-0";
  #lastRoundId = 0;
  #lastAnnounced: EndRound | null = null;
  #done: Promise<void> = Promise.resolve();

  constructor(deps: RoundFeedDeps) {
    this.#deps = deps;
    this.#kicks = deps.keys.kicks + deps.serverId;
  }

  /** The last round broadcast (or announced before this server started). */
  get lastRoundId(): number {
    return this.#lastRoundId;
  }

  /** The newest round announced when this server started, as its `EndRound`; null before any. */
  get lastAnnounced(): EndRound | null {
    return this.#lastAnnounced;
  }

  /** Starts reading after the newest entries there are now. */
  async start(): Promise<void> {
    const { redis, keys } = this.#deps;
    const last = await redis.call("XREVRANGE", keys.events, "+", "-", "COUNT", 1) as [
      string,
      string[],
    ][];
    if (last.length > 0) {
      this.#eventsFrom = last[0][0];
      this.#lastAnnounced = endRoundOf(fieldsOf(last[0][1]));
      this.#lastRoundId = this.#lastAnnounced.roundId;
    }
    const kick = await redis.call("XREVRANGE", this.#kicks, "+", "-", "COUNT", 1) as [
      string,
      string[],
    ][];
    if (kick.length > 0) this.#kicksFrom = kick[0][0];
    this.#done = this.#run();
  }

  /** Stops reading; the pending read is cut off with the connection. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#deps.redis.disconnect();
    await this.#done;
  }

  /**
   * Hands `endRound` on now, ahead of the event stream, when it is the round
   * right after the last one handed on: the leader tells its own clients so
   * the moment the round is recorded, and the stream's entry is then skipped.
   * A round out of that order is left to the stream, which brings every
   * round in order. Returns whether it was handed on.
   */
  deliver(endRound: EndRound): boolean {
    if (endRound.roundId !== this.#lastRoundId + 1) return false;
    this.#lastRoundId = endRound.roundId;
    this.#deps.onEndRound(endRound);
    return true;
  }

  async #run(): Promise<void> {
    const { redis, keys, sleep } = this.#deps;
    const stop = this.#stop.signal;
    let failing = false;
    while (!stop.aborted) {
      let reply: StreamReply;
      try {
        reply = await redis.call(
          "XREAD",
          "COUNT",
          100,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          keys.events,
          this.#kicks,
          this.#eventsFrom,
          this.#kicksFrom,
        ) as StreamReply;
      } catch (error) {
        if (stop.aborted) return;
        if (!failing) {
          (this.#deps.log ?? getLogger(["clicker", "cluster"])).error(
            "Cannot read the round feed",
            {
              dependency: "Redis",
              error: errorMessage(error),
            },
          );
        }
        failing = true;
        // Redis may come back empty (restarted): read its stream from the start;
        // rounds already broadcast are skipped.
        this.#eventsFrom = "0-0";
        await sleep(RETRY_MS, stop).catch(() => {});
        continue;
      }
      failing = false;
      for (const [stream, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          if (stream === keys.events) {
            this.#eventsFrom = id;
            this.#event(fieldsOf(fields));
          } else {
            this.#kicksFrom = id;
            const entry = fieldsOf(fields);
            if (entry.moved !== undefined) {
              const ids = entry.moved.split(",").map(Number).filter(Number.isInteger);
              this.#deps.onMoved?.(ids);
              continue;
            }
            const playerId = Number(entry.player);
            if (Number.isInteger(playerId)) this.#deps.onKick(playerId);
          }
        }
      }
    }
  }

  #event(fields: Record<string, string>): void {
    const endRound = endRoundOf(fields);
    if (!(endRound.roundId > this.#lastRoundId)) return;
    this.#lastRoundId = endRound.roundId;
    this.#deps.onEndRound(endRound);
  }
}

/** An event stream entry's `EndRound`. */
function endRoundOf(fields: Record<string, string>): EndRound {
  return {
    winners: parsedList(fields.winners),
    nbClicks: Number(fields.nbClicks),
    roundId: Number(fields.roundId),
    nextRoundEndsAt: Number(fields.nextRoundEndsAt),
    // Entries appended before standings existed have none.
    standings: parsedList(fields.standings),
  };
}

/** A JSON list of a stream entry's field; `[]` when absent or unreadable. */
function parsedList(text: string | undefined): never[] {
  if (text === undefined) return [];
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value as never[] : [];
  } catch {
    return [];
  }
}

/** A stream entry's flat `[field, value, …]` list as an object. */
function fieldsOf(flat: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}
