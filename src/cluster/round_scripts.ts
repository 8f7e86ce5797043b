/**
 * The round's life in Redis, as three scripts, each one atomic step:
 *
 * - {@linkcode INIT_ROUND} opens the schedule when Redis has none (first
 *   start), from what PostgreSQL holds; a Redis that lost its data gets
 *   its round back from the servers instead (`redis_epoch.ts`).
 * - {@linkcode CLOSE_ROUND} ends the round in progress, only for the lease
 *   holder and only if the round is the one the caller means: it finds the
 *   winners, keeps the result among the closed rounds, and moves the round
 *   id on. Clicks after it land in the next round.
 * - {@linkcode ANNOUNCE_ROUND} appends the round's `EndRound` to the event
 *   stream once PostgreSQL holds its record, unless a higher or equal id was
 *   announced already: two servers that both think they lead announce a
 *   round once.
 *
 * @module
 */

import { SCORE_TO_BEAT } from "../game/rules.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { RaceEntry } from "../hub/wire.ts";
import type { Redis } from "./redis_connection.ts";
import { RedisScript } from "./redis_script.ts";
import { SETTLED_LUA } from "./redis_epoch.ts";

/** The round in progress and the grid of deadlines, as kept in Redis. */
export interface RoundState {
  readonly id: number;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly gridStart: number;
  readonly durationMs: number;
}

/** A closed round's result, as {@linkcode CLOSE_ROUND} keeps it. */
export interface ClosedResult {
  readonly id: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly nbClicks: number;
  /** Players who scored. */
  readonly players: number;
  /** Ids of the players with the top score (above 0), lowest first. */
  readonly winners: readonly number[];
  /**
   * Every player who scored, best first (ties: who reached the score
   * first), as `[player id, score]`; absent in results closed before it existed.
   */
  readonly ranked?: readonly (readonly [number, number])[];
}

const FIELDS = ["id", "startedAt", "endsAt", "gridStart", "durationMs"] as const;

/**
 * KEYS: round, announced, epoch. ARGV: id, startedAt, endsAt, gridStart,
 * durationMs, announced, the epoch the server knows (empty: not checked).
 * Refuses (`EPOCH`) on an epoch Redis doesn't hold: Redis lost its data, and
 * the round must come back from the servers, not from PostgreSQL.
 */
const INIT_ROUND = new RedisScript(`
if ARGV[7] ~= '' and redis.call('HGET', KEYS[3], 'id') ~= ARGV[7] then
  return redis.error_reply('EPOCH Redis lost its data; the game is being restored')
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'startedAt', ARGV[2], 'endsAt', ARGV[3],
    'gridStart', ARGV[4], 'durationMs', ARGV[5])
  if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[6]) then
    redis.call('SET', KEYS[2], ARGV[6])
  end
end
return redis.call('HMGET', KEYS[1], 'id', 'startedAt', 'endsAt', 'gridStart', 'durationMs')
`);

/**
 * KEYS: round, leader, closed, pending, epoch, live servers. ARGV: lease
 * token, round id, next round's end, scores prefix, the score winners beat
 * (`rules.ts`; ties at the top all win). Replies `{0}` not the
 * leader, `{-1}` the round is not in progress, `{-2}` Redis is being
 * restored after losing its data (see `redis_epoch.ts`), or `{1, result JSON}`.
 */
const CLOSE_ROUND = new RedisScript(`${SETTLED_LUA}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {0} end
local round = redis.call('HMGET', KEYS[1], 'id', 'startedAt', 'endsAt')
if round[1] ~= ARGV[2] then return {-1} end
local t = redis.call('TIME')
if not settled(KEYS[5], KEYS[6], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) then
  return {-2}
end
local fields = redis.call('HGETALL', ARGV[4] .. round[1])
local top, players, winners, scoreOf = tonumber(ARGV[5]), 0, {}, {}
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 1) == 's' then
    local score = tonumber(fields[i + 1])
    local id = tonumber(string.sub(fields[i], 2))
    scoreOf[id] = score
    if score > 0 then players = players + 1 end
    if score > top then
      top, winners = score, { id }
    elseif score == top and #winners > 0 then
      winners[#winners + 1] = id
    end
  end
end
table.sort(winners)
if #winners == 0 then top = 0 end
local ranked = {}
for _, member in ipairs(redis.call('ZREVRANGE', ARGV[4] .. round[1] .. ':race', 0, -1)) do
  local id = tonumber(member)
  local score = scoreOf[id] or 0
  if score > 0 then ranked[#ranked + 1] = '[' .. id .. ',' .. string.format('%d', score) .. ']' end
end
local result = '{"id":' .. round[1] .. ',"startedAt":' .. round[2] .. ',"endedAt":' .. round[3]
  .. ',"nbClicks":' .. string.format('%d', top) .. ',"players":' .. players
  .. ',"winners":[' .. table.concat(winners, ',') .. ']'
  .. ',"ranked":[' .. table.concat(ranked, ',') .. ']}'
redis.call('HSET', KEYS[3], round[1], result)
redis.call('ZADD', KEYS[4], round[1], round[1])
redis.call('HSET', KEYS[1], 'id', tonumber(round[1]) + 1, 'startedAt', round[3], 'endsAt', ARGV[3])
return {1, result}
`);

/**
 * KEYS: announced, events, round, closed, pending. ARGV: round id, winners
 * (JSON names), nbClicks, scores prefix, stream length kept, standings
 * (JSON `[{username, score}]`). Replies 1 when
 * it appended the entry, 0 when the round was announced already.
 */
const ANNOUNCE_ROUND = new RedisScript(`
local id = tonumber(ARGV[1])
local appended = 0
if tonumber(redis.call('GET', KEYS[1]) or '0') < id then
  local nextEndsAt = redis.call('HGET', KEYS[3], 'endsAt') or '0'
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'roundId', ARGV[1],
    'winners', ARGV[2], 'nbClicks', ARGV[3], 'nextRoundEndsAt', nextEndsAt, 'standings', ARGV[6])
  redis.call('SET', KEYS[1], ARGV[1])
  appended = 1
end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('DEL', ARGV[4] .. ARGV[1], ARGV[4] .. ARGV[1] .. ':race')
return appended
`);

/** Entries the event stream keeps (more than any server lags behind). */
const STREAM_LENGTH = 1000;

function roundState(reply: unknown): RoundState | undefined {
  const values = reply as (string | null)[];
  if (values[0] === null) return undefined;
  const [id, startedAt, endsAt, gridStart, durationMs] = values.map(Number);
  return { id, startedAt, endsAt, gridStart, durationMs };
}

/** The round in progress, or `undefined` when Redis has no schedule. */
export async function readRound(
  redis: Redis,
  keys: ClusterKeys,
): Promise<RoundState | undefined> {
  return roundState(await redis.call("HMGET", keys.round, ...FIELDS));
}

/**
 * Opens `round` unless Redis has a schedule already; returns the one in
 * force. With `epoch`, rejects (`EPOCH`) when Redis doesn't hold it.
 */
export async function initRound(
  redis: Redis,
  keys: ClusterKeys,
  round: RoundState,
  announced: number,
  epoch = "",
): Promise<RoundState> {
  const reply = await INIT_ROUND.run(redis, [keys.round, keys.announced, keys.epoch], [
    round.id,
    round.startedAt,
    round.endsAt,
    round.gridStart,
    round.durationMs,
    announced,
    epoch,
  ]);
  return roundState(reply)!;
}

/** What {@linkcode closeRound} did. */
export type CloseOutcome =
  | { readonly kind: "closed"; readonly result: ClosedResult }
  | { readonly kind: "not-leader" }
  | { readonly kind: "moved-on" }
  | { readonly kind: "settling" };

/** Ends round `id`, fenced by the lease `token`; the next round ends at `nextEndsAt`. */
export async function closeRound(
  redis: Redis,
  keys: ClusterKeys,
  token: string,
  id: number,
  nextEndsAt: number,
): Promise<CloseOutcome> {
  const reply = await CLOSE_ROUND.run(
    redis,
    [keys.round, keys.leader, keys.closed, keys.pending, keys.epoch, keys.servers],
    [token, id, nextEndsAt, keys.scores, SCORE_TO_BEAT],
  ) as [number, string?];
  if (reply[0] === 0) return { kind: "not-leader" };
  if (reply[0] === -1) return { kind: "moved-on" };
  if (reply[0] === -2) return { kind: "settling" };
  return { kind: "closed", result: JSON.parse(reply[1]!) };
}

/** Closed rounds not yet announced, oldest first. */
export async function pendingRounds(redis: Redis, keys: ClusterKeys): Promise<ClosedResult[]> {
  const ids = await redis.call("ZRANGE", keys.pending, 0, -1) as string[];
  if (ids.length === 0) return [];
  const results = await redis.call("HMGET", keys.closed, ...ids) as (string | null)[];
  return results.filter((r) => r !== null).map((r) => JSON.parse(r!) as ClosedResult);
}

/** Announces recorded round `id`; resolves with whether this call appended it. */
export async function announceRound(
  redis: Redis,
  keys: ClusterKeys,
  id: number,
  winners: readonly string[],
  nbClicks: number,
  standings: readonly RaceEntry[] = [],
): Promise<boolean> {
  const reply = await ANNOUNCE_ROUND.run(
    redis,
    [keys.announced, keys.events, keys.round, keys.closed, keys.pending],
    [id, JSON.stringify(winners), nbClicks, keys.scores, STREAM_LENGTH, JSON.stringify(standings)],
  );
  return reply === 1;
}
