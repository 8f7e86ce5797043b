/**
 * Who is online across servers, and the per-player connection limit across
 * them. Each server keeps a hash in Redis of its players and how many
 * connections each has there, rewritten every half second with a short time
 * to live, and its id in a sorted set of live servers; a server that dies
 * drops out within {@linkcode PresenceOptions.ttlMs}.
 *
 * - `PlayerCount` is the number of distinct players across live servers.
 * - When a connection opens, the player's connections on every live server
 *   are added up; over the limit, the server holding the most of them (this
 *   one on a tie) closes its oldest, told through its kick stream.
 * - Each server advertises where the others reach it, with its heartbeat,
 *   and learns where every live server is: a request for a connection held
 *   by another server is relayed there (`connection_relay.ts`).
 *
 * @module
 */

import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { RedisScript } from "./redis_script.ts";

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS[1] live servers, KEYS[2] their addresses. ARGV: server id, ttl ms,
 * online prefix, this server's address (or empty), then (player,
 * connections) pairs. Rewrites this server's hash and address, drops dead
 * servers, and replies the number of distinct players online, then the live
 * servers' (server, address) pairs as one list, then a (player, server) pair
 * for each of this server's players connected to another server too.
 */
const HEARTBEAT = new RedisScript(`${NOW}
local mine = ARGV[3] .. ARGV[1]
redis.call('DEL', mine)
local here = {}
for i = 5, #ARGV, 2 do
  redis.call('HSET', mine, ARGV[i], ARGV[i + 1])
  here[ARGV[i]] = true
end
redis.call('PEXPIRE', mine, ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[4]) end
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('DEL', ARGV[3] .. dead)
  redis.call('HDEL', KEYS[2], dead)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local seen, addresses, reply = {}, {}, { 0, 0 }
for _, server in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local address = redis.call('HGET', KEYS[2], server)
  if address then
    addresses[#addresses + 1] = server
    addresses[#addresses + 1] = address
  end
  for _, player in ipairs(redis.call('HKEYS', ARGV[3] .. server)) do
    if not seen[player] then
      seen[player] = true
      reply[1] = reply[1] + 1
    end
    if here[player] and server ~= ARGV[1] then
      reply[#reply + 1] = player
      reply[#reply + 1] = server
    end
  end
end
reply[2] = addresses
return reply
`);

/** KEYS[1] live servers, KEYS[2] their addresses. ARGV: server id. Its address while it lives. */
const ADDRESS = new RedisScript(`${NOW}
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expires or tonumber(expires) <= now then return false end
return redis.call('HGET', KEYS[2], ARGV[1])
`);

/**
 * KEYS[1] live servers. ARGV: server id, online prefix, kicks prefix,
 * player, +1 or -1, limit. Counts the connection in or out; on an opening
 * over the limit, replies the server that must close one (after adding the
 * kick to its stream when it is another).
 */
const CONNECTION = new RedisScript(`${NOW}
local mine = ARGV[2] .. ARGV[1]
local n = redis.call('HINCRBY', mine, ARGV[4], ARGV[5])
if n <= 0 then redis.call('HDEL', mine, ARGV[4]) end
if tonumber(ARGV[5]) < 0 then return false end
local total, busiest, most = 0, ARGV[1], n
local servers = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
for _, server in ipairs(servers) do
  if server ~= ARGV[1] then
    local c = tonumber(redis.call('HGET', ARGV[2] .. server, ARGV[4]) or '0')
    total = total + c
    if c > most then busiest, most = server, c end
  end
end
if total + n <= tonumber(ARGV[6]) then return false end
if busiest ~= ARGV[1] then
  local kicks = ARGV[3] .. busiest
  redis.call('XADD', kicks, 'MAXLEN', '~', 100, '*', 'player', ARGV[4])
  redis.call('PEXPIRE', kicks, 60000)
end
return busiest
`);

/** No other server: what most players have, asked on every click (so never a new array). */
const NOWHERE: readonly string[] = Object.freeze([]);

/** Options of {@linkcode Presence}. */
export interface PresenceOptions {
  readonly redis: Redis;
  readonly keys: ClusterKeys;
  readonly serverId: string;
  /** Open connections one player may hold across servers. */
  readonly maxPerPlayer: number;
  /** This server's players and their connections here. */
  readonly local: () => Iterable<readonly [playerId: number, connections: number]>;
  /** The number of players online across servers changed. */
  readonly onCount: (online: number) => void;
  /** This server must close one connection of the player (it holds the most of them). */
  readonly onKick: (playerId: number) => void;
  /** How often the server's presence is written, in ms (default 500). */
  readonly intervalMs?: number;
  /** How long a server's presence lasts unrenewed, in ms (default 3000). */
  readonly ttlMs?: number;
}

/** This server's side of the presence across servers. */
export class Presence {
  readonly #options: PresenceOptions;
  readonly #servers: string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #online = -1;
  /** This server's players with connections on other servers too, and those servers. */
  #elsewhere = new Map<number, string[]>();
  /** Live servers' addresses, as of the last heartbeat. */
  #addresses = new Map<string, string>();
  /** Where other servers reach this one, once it listens. */
  #address = "";
  #beating = false;

  constructor(options: PresenceOptions) {
    this.#options = options;
    this.#servers = options.keys.servers;
  }

  /** Players online across servers as last counted; -1 before the first count. */
  get online(): number {
    return this.#online;
  }

  /**
   * The other servers where the player has connections too, as of the last
   * heartbeat (at most one interval old); none for most players.
   */
  elsewhere(playerId: number): readonly string[] {
    return this.#elsewhere.get(playerId) ?? NOWHERE;
  }

  /**
   * Where a live server is reached, as of the last heartbeat, else as Redis
   * says now (a server that started since); `undefined` for one not alive.
   */
  async addressOf(serverId: string): Promise<string | undefined> {
    const known = this.#addresses.get(serverId);
    if (known !== undefined) return known;
    const { redis, keys } = this.#options;
    const address = await ADDRESS.run(redis, [this.#servers, keys.addresses], [serverId]);
    return typeof address === "string" ? address : undefined;
  }

  /** Advertises where other servers reach this one, from now on (at once if started). */
  advertise(address: string): void {
    this.#address = address;
    if (this.#timer !== undefined) void this.#beat();
  }

  /** Writes the presence now and then every interval. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat(), this.#options.intervalMs ?? 500);
  }

  /** Stops, and takes this server's players off at once. Safe to call twice. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const { redis, keys, serverId } = this.#options;
    try {
      await redis.call("ZREM", this.#servers, serverId);
      await redis.call("DEL", keys.online + serverId);
      await redis.call("HDEL", keys.addresses, serverId);
    } catch {
      // Unreachable: the presence runs out by itself.
    }
  }

  /** A connection of the player opened here; over the limit, one of theirs is closed. */
  opened(playerId: number): void {
    const { redis, keys, serverId, maxPerPlayer, onKick } = this.#options;
    CONNECTION.run(redis, [this.#servers], [
      serverId,
      keys.online,
      keys.kicks,
      playerId,
      1,
      maxPerPlayer,
    ]).then((busiest) => {
      if (busiest === serverId) onKick(playerId);
    }).catch(() => {});
  }

  /** A connection of the player closed here. */
  closed(playerId: number): void {
    const { redis, keys, serverId } = this.#options;
    CONNECTION.run(redis, [this.#servers], [serverId, keys.online, keys.kicks, playerId, -1, 0])
      .catch(() => {});
  }

  async #beat(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    const { redis, keys, serverId, local, onCount } = this.#options;
    const args: (string | number)[] = [
      serverId,
      this.#options.ttlMs ?? 3000,
      keys.online,
      this.#address,
    ];
    for (const [playerId, connections] of local()) args.push(playerId, connections);
    try {
      const reply = await HEARTBEAT.run(redis, [this.#servers, keys.addresses], args) as [
        number,
        string[],
        ...(number | string)[],
      ];
      const online = Number(reply[0]);
      const addresses = new Map<string, string>();
      for (let i = 0; i + 1 < reply[1].length; i += 2) addresses.set(reply[1][i], reply[1][i + 1]);
      this.#addresses = addresses;
      const elsewhere = new Map<number, string[]>();
      for (let i = 2; i + 1 < reply.length; i += 2) {
        const playerId = Number(reply[i]);
        const servers = elsewhere.get(playerId) ?? [];
        servers.push(String(reply[i + 1]));
        elsewhere.set(playerId, servers);
      }
      this.#elsewhere = elsewhere;
      if (online !== this.#online) {
        this.#online = online;
        onCount(online);
      }
    } catch {
      // Redis is down: the count stays as it was, and the next beat tries again.
    } finally {
      this.#beating = false;
    }
  }
}
