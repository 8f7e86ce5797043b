/**
 * The click script: one `EVALSHA` applies a turn's clicks, purchases and
 * standing reads of one server in order, atomically, to the round in
 * progress in Redis (`click_batch.ts` gathers and sends them). So the click
 * cap (a token bucket per player, on Redis's clock) and each score hold
 * across servers, and a click counts in exactly one round: the script reads
 * the current round id itself, and closing a round (see `round_scripts.ts`)
 * moves that id in one step.
 *
 * Each standing carries the number of moves applied to it this round, and
 * the script runs only on the Redis epoch the server knows: a Redis that
 * lost its data counts nothing until the servers restored it
 * (`redis_epoch.ts`).
 *
 * The script mirrors `src/game/rules.ts` and `src/game/click_limit.ts`, and
 * takes every number of the rule from there: the start standing and the
 * bucket's shape as arguments, and each multiplier's cost and successor as
 * a table built by running the rule itself ({@linkcode multiplierLadder}),
 * so a change there, linear or not, is carried rather than drifting.
 *
 * @module
 */

import { buyMultiplier, multiplierCost, START } from "../game/rules.ts";
import { RedisScript } from "./redis_script.ts";
import { SETTLED_LUA } from "./redis_epoch.ts";

/** One rung of the multiplier ladder: what buying at `multiplier` costs, and what it gives. */
export interface MultiplierRung {
  readonly multiplier: number;
  readonly cost: number;
  readonly next: number;
}

/**
 * Every multiplier a player can reach from the start, with its cost and the
 * multiplier it buys, as `rules.ts` says, while the numbers stay exact
 * integers (past that no score could pay anyway).
 */
export function multiplierLadder(): MultiplierRung[] {
  const ladder: MultiplierRung[] = [];
  for (let multiplier = START.multiplier; Number.isSafeInteger(multiplier);) {
    const cost = multiplierCost(multiplier);
    if (!Number.isSafeInteger(cost)) break;
    const bought = buyMultiplier({ score: cost, multiplier });
    if (!bought.ok || bought.standing.score !== 0) {
      throw new RangeError(
        `Cannot build the multiplier ladder: ${cost} does not buy at ${multiplier}`,
      );
    }
    const next = bought.standing.multiplier;
    if (!Number.isSafeInteger(next) || next <= multiplier) break;
    ladder.push({ multiplier, cost, next });
    multiplier = next;
  }
  return ladder;
}

/** The ladder as Lua tables: `COST[m]` and `NEXT[m]`. */
function ladderLua(ladder: readonly MultiplierRung[]): string {
  const cost = ladder.map((r) => `[${r.multiplier}]=${r.cost}`).join(",");
  const next = ladder.map((r) => `[${r.multiplier}]=${r.next}`).join(",");
  return `local COST = {${cost}}\nlocal NEXT = {${next}}\n`;
}

/**
 * KEYS: round hash, epoch, live servers. ARGV: scores prefix, bucket prefix
 * (+ `w` and the window: buckets are kept in a hash per window of the time a
 * bucket takes to fill, player id → `"tokens updatedMs"`),
 * the bucket's capacity, start score, start multiplier, the bucket's refill
 * per second, the epoch the server knows (empty: not checked), then the
 * operations in one argument, each its op and player id and a comma
 * (`c12,b12,s40,`), op `c` click, `b` buy a multiplier, `s` read the
 * standing: one argument rather than two per operation, which Redis and the
 * client would each handle as a string of its own. Replies
 * `{roundId, roundEndsAt, then score, multiplier, ok, version for each op}`;
 * refuses (`EPOCH`) an epoch Redis doesn't hold, and (`SETTLING`) every move
 * while a Redis that lost its data is being restored.
 */
export const CLICKS = new RedisScript(`${SETTLED_LUA}
${ladderLua(multiplierLadder())}
local now
if ARGV[7] ~= '' then
  if redis.call('HGET', KEYS[2], 'id') ~= ARGV[7] then
    return redis.error_reply('EPOCH Redis lost its data; the game is being restored')
  end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if not settled(KEYS[2], KEYS[3], now) then
    return redis.error_reply('SETTLING the game is being restored after Redis lost its data')
  end
end
local round = redis.call('HMGET', KEYS[1], 'id', 'endsAt', 'startedAt')
if not round[1] then return redis.error_reply('NOROUND no round in progress') end
local scores = ARGV[1] .. round[1]
local race = scores .. ':race'
local capacity, refill = tonumber(ARGV[3]), tonumber(ARGV[6])
local startScore, startMult = tonumber(ARGV[4]), tonumber(ARGV[5])
local out = { tonumber(round[1]), tonumber(round[2]) }
-- The operations, and each player once, in order of first appearance; those who click need a bucket.
local ops, ids, order, clickers, seen, bucketed = {}, {}, {}, {}, {}, {}
for op, id in string.gmatch(ARGV[8], '(%a)(%d+),') do
  ops[#ops + 1], ids[#ids + 1] = op, id
  if not seen[id] then
    seen[id] = true
    order[#order + 1] = id
  end
  if op == 'c' and not bucketed[id] then
    bucketed[id] = true
    clickers[#clickers + 1] = id
  end
end
-- Every read and write below is one command for the whole batch, not one per player: a call
-- from the script costs Redis more than the command itself. In slices, as Lua's unpack is bounded.
local SLICE = 2000
local function each_slice(list, run)
  for i = 1, #list, SLICE do run(unpack(list, i, math.min(i + SLICE - 1, #list))) end
end
local function read_all(command, key, names)
  local values = {}
  for i = 1, #names, SLICE do
    local last = math.min(i + SLICE - 1, #names)
    local reply
    if key then
      reply = redis.call(command, key, unpack(names, i, last))
    else
      reply = redis.call(command, unpack(names, i, last))
    end
    for j = 1, #reply do values[i + j - 1] = reply[j] end
  end
  return values
end
local fields = {}
for i, id in ipairs(order) do
  fields[3 * i - 2], fields[3 * i - 1], fields[3 * i] = 's' .. id, 'm' .. id, 'v' .. id
end
local stored = read_all('HMGET', scores, fields)
local players = {}
for i, id in ipairs(order) do
  players[id] = {
    score = tonumber(stored[3 * i - 2]) or startScore,
    mult = tonumber(stored[3 * i - 1]) or startMult,
    version = tonumber(stored[3 * i]) or 0,
    moved = false,
  }
end
if #clickers > 0 then
  if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  -- Buckets live in a hash per window as long as a bucket takes to fill: one written in neither
  -- this window nor the last has been left alone long enough to be full.
  local fill = math.ceil(capacity / refill * 1000)
  local window = math.floor(now / fill)
  local buckets = read_all('HMGET', ARGV[2] .. 'w' .. window, clickers)
  local older, olderAt = {}, {}
  for i, id in ipairs(clickers) do
    if not buckets[i] then
      older[#older + 1] = id
      olderAt[#older] = i
    end
  end
  if #older > 0 then
    local before = read_all('HMGET', ARGV[2] .. 'w' .. (window - 1), older)
    for j = 1, #older do buckets[olderAt[j]] = before[j] end
  end
  for i, id in ipairs(clickers) do
    local p, b = players[id], buckets[i]
    if b then
      local sp = string.find(b, ' ', 1, true)
      p.tokens, p.updated = tonumber(string.sub(b, 1, sp - 1)), tonumber(string.sub(b, sp + 1))
    else
      p.tokens, p.updated = capacity, now
    end
    if now > p.updated then
      p.tokens = math.min(capacity, p.tokens + (now - p.updated) * refill / 1000)
      p.updated = now
    end
  end
end
for i = 1, #ops do
  local op, p = ops[i], players[ids[i]]
  local ok = 1
  if op == 'c' then
    if p.tokens >= 1 then
      p.tokens = p.tokens - 1
      p.score = p.score + p.mult
      p.version = p.version + 1
      p.moved = true
    else
      ok = 0
    end
  elseif op == 'b' then
    local cost = COST[p.mult]
    if cost and p.score >= cost then
      p.score, p.mult, p.moved = p.score - cost, NEXT[p.mult], true
      p.version = p.version + 1
    else
      ok = 0
    end
  end
  out[#out + 1] = p.score
  out[#out + 1] = p.mult
  out[#out + 1] = ok
  out[#out + 1] = p.version
end
local written, ranked, unranked, kept = {}, {}, {}, {}
for _, id in ipairs(order) do
  local p = players[id]
  if p.moved then
    written[#written + 1], written[#written + 2] = 's' .. id, p.score
    written[#written + 1], written[#written + 2] = 'm' .. id, p.mult
    written[#written + 1], written[#written + 2] = 'v' .. id, p.version
    -- The race: the score, plus a fraction that is larger the earlier in the round it was reached.
    if p.score > 0 then
      if not now then
        local t = redis.call('TIME')
        now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local startedAt = tonumber(round[3]) or now
      local span = math.max(1, tonumber(round[2]) - startedAt)
      local at = math.min(math.max(now - startedAt, 0), span)
      ranked[#ranked + 1] = string.format('%.17g', p.score + (span - at) / (span + 1))
      ranked[#ranked + 1] = id
    else
      unranked[#unranked + 1] = id
    end
  end
  if p.tokens then
    kept[#kept + 1], kept[#kept + 2] = id, p.tokens .. ' ' .. p.updated
  end
end
each_slice(written, function(...) redis.call('HSET', scores, ...) end)
each_slice(ranked, function(...) redis.call('ZADD', race, ...) end)
each_slice(unranked, function(...) redis.call('ZREM', race, ...) end)
if #kept > 0 then
  local fill = math.ceil(capacity / refill * 1000)
  local key = ARGV[2] .. 'w' .. math.floor(now / fill)
  each_slice(kept, function(...) redis.call('HSET', key, ...) end)
  -- Read for the next window too; past that, every bucket in it would be full.
  redis.call('PEXPIRE', key, 2 * fill + 1000)
end
return out
`);
