/**
 * The click path across servers: every click, purchase and standing read of
 * one event-loop turn goes to Redis as one `EVALSHA` of {@linkcode CLICKS},
 * which applies them in order, atomically, to the round in progress there.
 * So the click cap (a token bucket per player, on Redis's clock) and each
 * score hold across servers, and a click counts in exactly one round: the
 * script reads the current round id itself, and closing a round (see
 * `round_scripts.ts`) moves that id in one step.
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

import { setImmediate } from "node:timers";
import { buyMultiplier, multiplierCost, START } from "../game/rules.ts";
import { bucketShape } from "../game/click_limit.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
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
 * KEYS: round hash, epoch, live servers. ARGV: scores prefix, bucket prefix,
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
  local bucketKeys = {}
  for i, id in ipairs(clickers) do bucketKeys[i] = ARGV[2] .. id end
  local buckets = read_all('MGET', nil, bucketKeys)
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
local written, ranked, unranked = {}, {}, {}
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
  -- A bucket left alone until it is full again: expiring it then is the same as keeping it.
  if p.tokens then
    redis.call('SET', ARGV[2] .. id, p.tokens .. ' ' .. p.updated,
      'PX', math.ceil(capacity / refill * 1000) + 1000)
  end
end
each_slice(written, function(...) redis.call('HSET', scores, ...) end)
each_slice(ranked, function(...) redis.call('ZADD', race, ...) end)
each_slice(unranked, function(...) redis.call('ZREM', race, ...) end)
return out
`);

/** What one operation of a batch may do. */
export type ClickOp = "c" | "b" | "s";

/** One operation's outcome, and the round it landed in. */
export interface OpReply {
  readonly playerId: number;
  readonly roundId: number;
  readonly roundEndsAt: number;
  readonly score: number;
  readonly multiplier: number;
  /** The click counted, or the purchase went through (always true for a read). */
  readonly ok: boolean;
  /** Moves applied to the player's standing this round, this one included. */
  readonly version: number;
}

/**
 * Told of each operation's outcome, with the context it was queued with.
 * One handler serves many operations, so a queued operation costs no
 * promise or closure: a flood keeps thousands in flight, and each would
 * outlive young-generation collections.
 */
export interface OpHandler<T> {
  /** The operation ran. If this throws, `failed` follows with what it threw. */
  answered(reply: OpReply, context: T): void;
  /** Redis could not run the operation's batch, or its reply could not be read. Never throws. */
  failed(error: unknown, context: T): void;
}

/** Settles the promise of {@linkcode ClickBatch.enqueue}. */
const PROMISED: OpHandler<PromiseWithResolvers<OpReply>> = {
  answered: (reply, promised) => promised.resolve(reply),
  failed: (error, promised) => promised.reject(error),
};

/** Options of {@linkcode ClickBatch}. */
export interface ClickBatchOptions {
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  /** Per-player click cap. */
  readonly maxClicksPerSecond: number;
  /** The epoch of Redis the server knows (see `redis_epoch.ts`); unset, not checked. */
  readonly epoch?: () => string;
  /** A batch was refused because Redis doesn't hold that epoch: it lost its data. */
  readonly onEpochLost?: () => void;
}

/** The operations of one turn, in the order they were queued. */
interface Queued {
  readonly ops: ClickOp[];
  readonly ids: number[];
  readonly handlers: OpHandler<unknown>[];
  readonly contexts: unknown[];
}

/** Gathers the operations of one event-loop turn and sends them to Redis in one call. */
export class ClickBatch {
  readonly #redis: Redis;
  readonly #keys: readonly string[];
  readonly #header: readonly (string | number)[];
  readonly #epoch: () => string;
  readonly #onEpochLost: () => void;
  #queued: Queued | undefined;

  constructor(options: ClickBatchOptions) {
    this.#redis = options.redis;
    this.#keys = [options.keys.round, options.keys.epoch, options.keys.servers];
    this.#epoch = options.epoch ?? (() => "");
    this.#onEpochLost = options.onEpochLost ?? (() => {});
    const bucket = bucketShape(options.maxClicksPerSecond);
    this.#header = [
      options.keys.scores,
      options.keys.bucket,
      bucket.capacity,
      START.score,
      START.multiplier,
      bucket.refillPerSecond,
    ];
  }

  /**
   * Queues `op` for `playerId`; `handler` is told its outcome, with
   * `context`, once Redis ran the turn's batch. Batches are sent, and so
   * answered, in the order they were queued.
   */
  add<T>(op: ClickOp, playerId: number, handler: OpHandler<T>, context: T): void {
    let queued = this.#queued;
    if (queued === undefined) {
      queued = this.#queued = {
        ops: [],
        ids: [],
        handlers: [],
        contexts: [],
      };
      // After every socket's data of this turn: one batch carries them all.
      setImmediate(() => this.#flush());
    }
    queued.ops.push(op);
    queued.ids.push(playerId);
    queued.handlers.push(handler as OpHandler<unknown>);
    queued.contexts.push(context);
  }

  /**
   * Queues `op` for `playerId`; resolves with its outcome once Redis ran the
   * turn's batch, in the order of {@linkcode add}; rejects when Redis can't
   * be reached.
   */
  enqueue(op: ClickOp, playerId: number): Promise<OpReply> {
    const promised = Promise.withResolvers<OpReply>();
    this.add(op, playerId, PROMISED, promised);
    return promised.promise;
  }

  #flush(): void {
    const queued = this.#queued!;
    this.#queued = undefined;
    const { ops, ids } = queued;
    let packed = "";
    for (let i = 0; i < ops.length; i++) packed += `${ops[i]}${ids[i]},`;
    CLICKS.run(this.#redis, this.#keys, [...this.#header, this.#epoch(), packed]).then(
      (reply) => answer(queued, reply),
      (error) => {
        if (error instanceof Error && error.message.startsWith("EPOCH")) this.#onEpochLost();
        fail(queued, error);
      },
    );
  }
}

/**
 * Tells each handler its operation's outcome. A reply that can't be read
 * fails the operations it didn't answer, like Redis out of reach: each gets
 * an error, none waits forever.
 */
function answer(queued: Queued, reply: unknown): void {
  const { ids, handlers, contexts } = queued;
  const n = ids.length;
  if (!Array.isArray(reply) || reply.length !== 2 + 4 * n) {
    fail(queued, new TypeError(`Cannot read click batch reply: expected ${2 + 4 * n} numbers`));
    return;
  }
  const roundId = reply[0] as number;
  const roundEndsAt = reply[1] as number;
  for (let i = 0; i < n; i++) {
    const at = 2 + 4 * i;
    const handler = handlers[i];
    const context = contexts[i];
    try {
      handler.answered({
        playerId: ids[i],
        roundId,
        roundEndsAt,
        score: reply[at],
        multiplier: reply[at + 1],
        ok: reply[at + 2] === 1,
        version: reply[at + 3],
      }, context);
    } catch (error) {
      handler.failed(error, context);
    }
  }
}

/** Fails every operation of the batch. */
function fail(queued: Queued, error: unknown): void {
  for (let i = 0; i < queued.ids.length; i++) queued.handlers[i].failed(error, queued.contexts[i]);
}
