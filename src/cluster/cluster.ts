/**
 * Several servers, one game: builds this server's part of it from Redis and
 * PostgreSQL, and connects the pieces. Player standings and the click cap
 * live in Redis (`click_batch.ts`, `cluster_game.ts`); one server at a time
 * ends rounds (`round_leader.ts`, under `lease.ts`) and records them in
 * PostgreSQL; every server broadcasts each announced round
 * (`round_feed.ts`); who is online and the connection limit span servers
 * (`presence.ts`); a Redis that lost its data is found and restored from
 * what the servers hold (`redis_loss_watch.ts`).
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { openPostgres } from "../db/postgres/open_postgres.ts";
import { lastRecordedRound, lastRoundId } from "../db/rounds.ts";
import type { RoundGrid } from "../game/round_clock.ts";
import type { EndRound } from "../hub/wire.ts";
import type { RoundLoopHealth } from "../game_backend.ts";
import { sleep } from "../sleep.ts";
import { ClickBatch } from "./click_batch.ts";
import { ClusterGame } from "./cluster_game.ts";
import { type ClusterKeys, clusterKeys } from "./cluster_keys.ts";
import { Lease } from "./lease.ts";
import { Presence } from "./presence.ts";
import { closeRedis, openRedis, type Redis } from "./redis_connection.ts";
import { RoundFeed } from "./round_feed.ts";
import { RoundLeader } from "./round_leader.ts";
import { RaceReader } from "./race_reader.ts";
import { StandingRelay } from "./standing_relay.ts";
import { ConnectionRelay } from "./connection_relay.ts";
import { openSchedule, settleGrid } from "./schedule.ts";
import { redisAttempts } from "./redis_attempts.ts";
import { joinEpoch } from "./redis_epoch.ts";
import { type RedisLoss, RedisLossWatch } from "./redis_loss_watch.ts";
import type { AttemptCounterFactory } from "../auth/attempt_limit.ts";
import { newServerId } from "../server_id.ts";
import { type ProblemLog, quietLog } from "../log/problem_log.ts";
import { errorMessage } from "../log/error_message.ts";
import { getLogger } from "@logtape/logtape";

const log = getLogger(["clicker", "cluster"]);

/** What {@linkcode openCluster} needs. */
export interface ClusterOptions {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** This server's id (default: made up from the process id and a random part). */
  readonly serverId?: string;
  /** The round length this server is configured with; the settled grid wins. */
  readonly roundDurationMs: number;
  readonly maxClicksPerSecond: number;
  /** Open connections one player may hold across servers (default 5). */
  readonly maxConnectionsPerPlayer?: number;
  /** Prefix of every Redis key (default `clicker:`). */
  readonly keyPrefix?: string;
  /** Where every part reports trouble (default: each part's own category of the `clicker` logger). */
  readonly log?: ProblemLog;
  /** Called right after this server closed round `id`, before recording it. */
  readonly afterClose?: (id: number) => void;
}

/** What the cluster does to this server's clients. */
export interface ClusterHub {
  /** Sends a round's `EndRound` to every client of this server. */
  endRound(endRound: EndRound): void;
  /** The player's standing moved on another server: their connections here are told. */
  standingMoved(playerId: number): void;
  /** The number of players online across servers changed. */
  onlineChanged(): void;
  /** Closes the oldest connection of the player here: they are over the limit. */
  kick(playerId: number): void;
  /** The shared race was read anew and differs (see `race_reader.ts`). */
  raceChanged(): void;
  /** Players with a connection here that watches the race. */
  racePlayers(): Iterable<number>;
}

/** This server's health as one of several, for `/healthz`. */
export interface ClusterHealth {
  /** Whether this server ends rounds now. */
  readonly role: "leader" | "follower";
  /** `"ok"`, or why Redis can't be used. */
  readonly redis: string;
  /** The last time Redis lost its data, as this server saw it; null when never. */
  readonly redisLost: RedisLoss | null;
}

/** This server's part in a game shared with other servers. */
export interface Cluster {
  readonly serverId: string;
  readonly db: Kysely<Database>;
  readonly game: ClusterGame;
  /** The grid every server follows (its round length wins over this server's setting). */
  readonly grid: RoundGrid;
  /** Players online across servers, as last counted. */
  readonly online: number;
  /** Login and registration attempts, counted across servers. */
  readonly attempts: AttemptCounterFactory;
  /** Passes requests for connections held by other servers to them. */
  readonly relay: ConnectionRelay;
  /** Tells the other servers where to reach this one (an `http://` origin), once it listens. */
  advertise(address: string): void;
  /** Starts leading or standing by, reading announced rounds, and keeping presence. */
  start(hub: ClusterHub): Promise<void>;
  /** The round clock as this server sees it. */
  loopHealth(): RoundLoopHealth;
  /** Role and Redis state, Redis asked now. */
  health(): Promise<ClusterHealth>;
  /** Whether this server ends rounds now, and how often it took or lost the lead. */
  leadership(): { readonly leading: boolean; readonly changes: number };
  /** Gives up the lease, stops reading and leaves; closes Redis (not the database). */
  stop(): Promise<void>;
}

/**
 * How long PostgreSQL connections may sit idle: longer than two rounds, so
 * the leader's record of a round (once a round, on the way to `EndRound`)
 * finds its connection open rather than opening one first; at least 30 s.
 */
export function poolIdleMs(roundDurationMs: number): number {
  return Math.max(30_000, 2 * roundDurationMs + 5_000);
}

/** Connects to PostgreSQL and Redis and opens (or joins) the shared schedule. */
export async function openCluster(options: ClusterOptions): Promise<Cluster> {
  // Unless one log is given, each part reports under its own category.
  const problems = options.log;
  const serverId = options.serverId ?? newServerId();
  const keys = clusterKeys(options.keyPrefix);
  const db = await openPostgres(options.databaseUrl, {
    log: problems,
    idleTimeoutMs: poolIdleMs(options.roundDurationMs),
  });
  const opened: Redis[] = [];
  try {
    const redis = await openRedis(options.redisUrl, {
      name: `clicker-${serverId}`,
      log: problems,
    });
    opened.push(redis);
    // Blocking reads hold a connection of their own.
    const reader = await openRedis(options.redisUrl, {
      name: `clicker-${serverId}-feed`,
      commandTimeoutMs: 5000,
      log: quietLog,
    });
    opened.push(reader);
    // The round clock's commands (lease, close, announce) don't queue behind click batches.
    const clock = await openRedis(options.redisUrl, {
      name: `clicker-${serverId}-clock`,
      log: problems,
    });
    opened.push(clock);
    const grid = await settleGrid(db, options.roundDurationMs, Date.now());
    if (grid.durationMs !== options.roundDurationMs) {
      (problems ?? log).warning(
        `ROUND_SECONDS is ${options.roundDurationMs / 1000} here, but the shared game's rounds ` +
          `last ${grid.durationMs / 1000} s (setting "round_grid"): following the shared game`,
        { setting: "round_grid", durationMs: grid.durationMs },
      );
    }
    const epoch = await joinEpoch(redis, keys);
    const round = await openSchedule(redis, keys, db, grid, Date.now(), epoch);
    return assemble({
      ...options,
      log: problems,
      serverId,
      keys,
      db,
      redis,
      reader,
      clock,
      grid,
      round,
      epoch,
    });
  } catch (error) {
    for (const connection of opened) connection.disconnect();
    await db.destroy();
    throw error;
  }
}

interface Parts extends ClusterOptions {
  readonly log?: ProblemLog;
  readonly serverId: string;
  readonly keys: ClusterKeys;
  readonly db: Kysely<Database>;
  readonly redis: Redis;
  readonly reader: Redis;
  /** The round clock's own connection: the lease, closing and announcing rounds. */
  readonly clock: Redis;
  readonly grid: RoundGrid;
  readonly round: { readonly id: number; readonly endsAt: number };
  /** The epoch Redis held when this server joined (see `redis_epoch.ts`). */
  readonly epoch: string;
}

function assemble(parts: Parts): Cluster {
  const { serverId, keys, db, redis, reader, clock, grid } = parts;
  const problems = parts.log;
  let hub: ClusterHub | undefined;
  const presence: Presence = new Presence({
    redis,
    keys,
    serverId,
    maxPerPlayer: parts.maxConnectionsPerPlayer ?? 5,
    local: () => game.connectionCounts(),
    onCount: () => hub?.onlineChanged(),
    onKick: (playerId) => hub?.kick(playerId),
  });
  const race = new RaceReader({
    redis,
    keys,
    sleep,
    log: problems,
    watching: () => hub?.racePlayers() ?? [],
    onChange: () => hub?.raceChanged(),
    async names(ids) {
      const rows = await db.selectFrom("players").select(["id", "username"])
        .where("id", "in", ids).execute();
      return new Map(rows.map((row) => [row.id, row.username]));
    },
  });
  const game: ClusterGame = new ClusterGame({
    race,
    batch: new ClickBatch({
      redis,
      keys,
      maxClicksPerSecond: parts.maxClicksPerSecond,
      epoch: () => watch.epoch,
      onEpochLost: () => void watch.check(),
    }),
    maxClicksPerSecond: parts.maxClicksPerSecond,
    round: parts.round,
    onJoin: (playerId) => presence.opened(playerId),
    onLeave: (playerId) => presence.closed(playerId),
    onMove: (playerId) => relay.moved(playerId),
  });
  const relay = new StandingRelay({
    redis,
    keys,
    elsewhere: (playerId) => presence.elsewhere(playerId),
  });
  const watch: RedisLossWatch = new RedisLossWatch({
    redis,
    keys,
    serverId,
    grid,
    epoch: parts.epoch,
    held: () => ({ ...game.held(), lastAnnounced: feed.lastRoundId }),
    lastRecorded: () => lastRoundId(db),
    log: problems,
  });
  const connectionRelay = new ConnectionRelay({
    serverId,
    addressOf: (id) => presence.addressOf(id),
    // The other server stopped or is restarting: its client reconnects; not this server's fault.
    log: problems,
  });
  const lease = new Lease({
    redis: clock,
    key: keys.leader,
    serverId,
    log: problems,
  });
  const leader = new RoundLeader({
    redis: clock,
    keys,
    db,
    lease,
    grid,
    sleep,
    log: problems,
    afterClose: parts.afterClose,
    epoch: () => watch.epoch,
    tell: (endRound) => feed.deliver(endRound),
  });
  const feed = new RoundFeed({
    redis: reader,
    keys,
    serverId,
    sleep,
    log: problems,
    onEndRound: (endRound) => {
      game.roundEnded(endRound);
      hub?.endRound(endRound);
    },
    onKick: (playerId) => hub?.kick(playerId),
    onMoved: (playerIds) => {
      for (const playerId of playerIds) {
        game.refresh(playerId).then((read) => {
          if (read) hub?.standingMoved(playerId);
        }).catch((error) =>
          (problems ?? log).error("Cannot read the standing of a player", {
            playerId,
            error: errorMessage(error),
          })
        );
      }
    },
  });
  let stopping: Promise<void> | undefined;
  return {
    serverId,
    db,
    game,
    grid,
    get online() {
      return presence.online;
    },
    attempts: redisAttempts(redis, keys),
    relay: connectionRelay,
    advertise: (address) => presence.advertise(address),
    async start(connected) {
      hub = connected;
      watch.start();
      await presence.start();
      await feed.start();
      // A player's first GameInfo here names the last round, as on a server that ran all along:
      // from the event stream, or from PostgreSQL when Redis lost it.
      const announced = feed.lastAnnounced;
      const last = announced === null
        ? await lastRecordedRound(db).catch(() => null)
        : { roundId: announced.roundId, winners: announced.winners, nbClicks: announced.nbClicks };
      if (last !== null) game.recall(last);
      leader.start();
      race.start();
    },
    loopHealth() {
      return { ...leader.health(), roundId: game.roundId, roundEndsAt: game.roundEndsAt };
    },
    async health() {
      let state = "ok";
      try {
        await redis.call("PING");
      } catch (error) {
        state = errorMessage(error) || "unreachable";
      }
      return {
        role: leader.leading ? "leader" : "follower",
        redis: state,
        redisLost: watch.loss,
      };
    },
    leadership: () => ({ leading: leader.leading, changes: lease.changes }),
    stop() {
      return stopping ??= (async () => {
        relay.stop();
        await race.stop();
        await watch.stop();
        connectionRelay.close();
        await leader.stop();
        await feed.stop();
        await presence.stop();
        await closeRedis(redis);
        await closeRedis(clock);
        reader.disconnect();
      })();
    },
  };
}
