/**
 * Telling a Redis that lost its data from one that didn't, and restoring it.
 * Redis holds an epoch (a hash, `id` a random name) set once by the first
 * server; a Redis that restarted empty, or a replica promoted without the
 * last writes of its primary, has none (or another): every server compares
 * it with the one it knows, and the click and round scripts refuse to run on
 * an epoch the server doesn't know, so no click is counted in a round Redis
 * forgot.
 *
 * The server that finds the epoch gone writes a new one, marked pending,
 * and each server writes back the round in progress and its players'
 * standings ({@linkcode repairRedis}). While pending, clicks and the end of
 * a round wait (they are refused, as while Redis is down) until every live
 * server has written back, at least {@linkcode SETTLE_MIN_MS} and at most
 * {@linkcode SETTLE_MAX_MS} after the loss: a standing restored by one server
 * is not moved on before another server's newer one of the same player is
 * merged.
 *
 * @module
 */

import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { RedisScript } from "./redis_script.ts";
import type { RepairPlan } from "./repair_plan.ts";

/** Shortest wait after a loss before the game goes on: two presence heartbeats. */
export const SETTLE_MIN_MS = 1000;
/** Longest wait after a loss for every live server to write back. */
export const SETTLE_MAX_MS = 5000;

/**
 * Lua: `settled(epochKey, serversKey, now)` is true once the epoch is not
 * pending (clearing the mark when the wait is over). `now` in Redis ms.
 */
export const SETTLED_LUA = `
local function settled(epochKey, serversKey, now)
  local e = redis.call('HMGET', epochKey, 'pending', 'lostAt')
  if not e[1] then return true end
  local lostAt = tonumber(e[2]) or 0
  if now < lostAt + ${SETTLE_MAX_MS} then
    if now < lostAt + ${SETTLE_MIN_MS} then return false end
    for _, s in ipairs(redis.call('ZRANGEBYSCORE', serversKey, now, '+inf')) do
      if redis.call('HEXISTS', epochKey, 'm:' .. s) == 0 then return false end
    end
  end
  redis.call('HDEL', epochKey, 'pending')
  return true
end
`;

/**
 * KEYS: epoch, round, announced. ARGV: known epoch, new epoch, server id,
 * scores prefix, round id, startedAt, endsAt, gridStart, durationMs,
 * announced, then (player, score, multiplier, version) quadruples. Replies
 * `{lost, epoch, round id in force, round restored, standings restored}`.
 */
const REPAIR = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local epoch = redis.call('HGET', KEYS[1], 'id')
local lost = 0
if epoch ~= ARGV[1] then
  lost = 1
  if not epoch then
    epoch = ARGV[2]
    redis.call('HSET', KEYS[1], 'id', epoch, 'lostAt', now, 'pending', 1)
  elseif redis.call('HEXISTS', KEYS[1], 'lostAt') == 0 then
    -- Set by a server that started after the loss and knew nothing to restore.
    redis.call('HSET', KEYS[1], 'lostAt', now, 'pending', 1)
  end
end
redis.call('HSET', KEYS[1], 'm:' .. ARGV[3], now)
local id = tonumber(ARGV[5])
local current = tonumber(redis.call('HGET', KEYS[2], 'id') or '0')
local roundRestored = 0
if current < id then
  redis.call('HSET', KEYS[2], 'id', ARGV[5], 'startedAt', ARGV[6], 'endsAt', ARGV[7],
    'gridStart', ARGV[8], 'durationMs', ARGV[9])
  current, roundRestored = id, 1
end
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[10]) then
  redis.call('SET', KEYS[3], ARGV[10])
end
local restored = 0
if current == id then
  local scores = ARGV[4] .. ARGV[5]
  for i = 11, #ARGV, 4 do
    local p = ARGV[i]
    local score, version = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 3])
    local kept = redis.call('HMGET', scores, 's' .. p, 'v' .. p)
    local keptScore, keptVersion = tonumber(kept[1]), tonumber(kept[2])
    if not keptVersion or version > keptVersion
      or (version == keptVersion and score > (keptScore or 0)) then
      redis.call('HSET', scores, 's' .. p, ARGV[i + 1], 'm' .. p, ARGV[i + 2], 'v' .. p, ARGV[i + 3])
      -- Back in the race; when each score was reached is lost with Redis's data.
      if score > 0 then redis.call('ZADD', scores .. ':race', score, p) else redis.call('ZREM', scores .. ':race', p) end
      restored = restored + 1
    end
  end
end
return { lost, epoch, current, roundRestored, restored }
`);

/** The epoch Redis holds, set now when it holds none (the first server, or the first after a loss). */
export async function joinEpoch(redis: Redis, keys: ClusterKeys): Promise<string> {
  await redis.call("HSETNX", keys.epoch, "id", crypto.randomUUID());
  return String(await redis.call("HGET", keys.epoch, "id"));
}

/** The epoch Redis holds now, or null when it holds none. */
export async function readEpoch(redis: Redis, keys: ClusterKeys): Promise<string | null> {
  const id = await redis.call("HGET", keys.epoch, "id");
  return id === null ? null : String(id);
}

/** What {@linkcode repairRedis} found and did. */
export interface RepairOutcome {
  /** Redis didn't hold the epoch the server knew. */
  readonly lost: boolean;
  /** The epoch Redis holds now (the server's from now on). */
  readonly epoch: string;
  /** The round in progress in Redis now. */
  readonly roundId: number;
  /** The server's round was written (Redis had none, or an earlier one). */
  readonly roundRestored: boolean;
  /** Standings written, newer than what Redis held. */
  readonly standingsRestored: number;
}

/**
 * Writes `plan` back, atomically: the round unless Redis holds a later one,
 * each standing unless Redis holds one with more moves. With the epoch
 * `known` still there nothing was lost, and this only fills in what a
 * replica may have missed; otherwise the epoch is renewed (once, by the
 * first server) and marked pending until every server wrote back.
 */
export async function repairRedis(
  redis: Redis,
  keys: ClusterKeys,
  options: { readonly known: string; readonly serverId: string; readonly plan: RepairPlan },
): Promise<RepairOutcome> {
  const { known, serverId, plan } = options;
  const { round } = plan;
  const args: (string | number)[] = [
    known,
    crypto.randomUUID(),
    serverId,
    keys.scores,
    round.id,
    round.startedAt,
    round.endsAt,
    round.gridStart,
    round.durationMs,
    plan.announced,
  ];
  for (const s of plan.standings) args.push(s.playerId, s.score, s.multiplier, s.version);
  const reply = await REPAIR.run(redis, [keys.epoch, keys.round, keys.announced], args) as [
    number,
    string,
    number,
    number,
    number,
  ];
  return {
    lost: reply[0] === 1,
    epoch: String(reply[1]),
    roundId: Number(reply[2]),
    roundRestored: reply[3] === 1,
    standingsRestored: Number(reply[4]),
  };
}
