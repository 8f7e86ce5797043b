/**
 * Where the game runs, as the server sees it: in this process on SQLite
 * (the round loop, the default), or in Redis and PostgreSQL shared with
 * other servers (`cluster/cluster.ts`). `server.ts` builds one and serves
 * either the same way.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Config } from "./config.ts";
import type { Database } from "./db/schema.ts";
import { openDatabase } from "./db/open_database.ts";
import type { Hub } from "./hub/hub.ts";
import type { HubGame } from "./hub/hub_game.ts";
import type { EndRound, LastRound } from "./hub/wire.ts";
import { getLogger } from "@logtape/logtape";
import { tooManyConnections } from "./hub/connection.ts";
import type { RoundLoop, RoundLoopHealth } from "./round_loop.ts";
import type { ClusterHealth } from "./cluster/cluster.ts";
import type { AttemptCounterFactory } from "./auth/attempt_limit.ts";
import type { ConnectionRelay } from "./hub/transport.ts";
import { advertisedUrl } from "./cluster/advertised_url.ts";

const roundLog = getLogger(["clicker", "round"]);

/** The game as the server runs it. */
export interface GameBackend {
  readonly db: Kysely<Database>;
  readonly game: HubGame;
  /** The round length clients are told. */
  readonly roundDurationMs: number;
  /** The last round announced, for `GameInfo`. */
  lastRound(): LastRound | null;
  /** Where login and registration attempts are counted, when beyond this server. */
  readonly attempts?: AttemptCounterFactory;
  /** Players online for `PlayerCount`, when counted beyond this server. */
  readonly playersOnline?: () => number;
  /** Starts ending rounds (or standing by) and telling `hub`'s clients. */
  start(hub: Hub): Promise<void>;
  /** The round clock's state, for `/healthz`. */
  loopHealth(): RoundLoopHealth;
  /** Role and Redis state, with several servers. */
  readonly cluster?: () => Promise<ClusterHealth>;
  /** Whether this server ends rounds (one server always does), and how often that changed. */
  leadership(): { readonly leading: boolean; readonly changes: number };
  /** With several servers, this server's id among them. */
  readonly serverId?: string;
  /** With several servers, what passes requests for their connections to them. */
  readonly relay?: ConnectionRelay;
  /** The server listens at `hostname:port` (the chosen port when PORT is 0). */
  listening(hostname: string, port: number): void;
  /**
   * Stops: the unit of work in flight finishes, `closeSockets` runs, what is
   * left is saved. Throws `UnsavedRoundsError` when that save failed.
   */
  stop(closeSockets: () => void): Promise<void>;
}

/**
 * Tells every client here that a round ended, and logs it with how late
 * after its deadline (`nextRoundEndsAt` less a round) the last `EndRound`
 * was written and how long writing them all took.
 */
function announceRound(
  hub: Hub,
  endRound: EndRound,
  roundDurationMs: number,
  observed?: RoundObserver,
): void {
  const start = performance.now();
  // A large broadcast goes out in batches: the figures wait for the last one.
  hub.broadcast("EndRound", endRound, {
    sent: () => {
      const fanoutMs = performance.now() - start;
      const latenessMs = Date.now() - (endRound.nextRoundEndsAt - roundDurationMs);
      roundLog.info("round ended", {
        roundId: endRound.roundId,
        winners: endRound.winners,
        nbClicks: endRound.nbClicks,
        players: hub.registry.online,
        connections: hub.registry.size,
        latenessMs,
        fanoutMs: Math.round(fanoutMs * 10) / 10,
      });
      observed?.(latenessMs / 1000, fanoutMs / 1000);
    },
  });
}

/** Told each round this server announced: seconds late after its deadline, seconds to send. */
export type RoundObserver = (latenessSeconds: number, fanoutSeconds: number) => void;

/** What {@linkcode openGameBackend} needs besides the configuration. */
export interface GameBackendOptions {
  /** The round loop of a single process. */
  readonly loop: RoundLoop;
  readonly logError: (message: string, fields?: Record<string, unknown>) => void;
  /** With several servers: called right after this server closed round `id` (tests crash here). */
  readonly afterClose?: (id: number) => void;
  /** Told of each round announced here, for the metrics. */
  readonly roundEnded?: RoundObserver;
}

/** Opens the game `config` asks for: several servers with `REDIS_URL`, else this process. */
export async function openGameBackend(
  config: Config,
  options: GameBackendOptions,
): Promise<GameBackend> {
  const { loop, logError } = options;
  if (config.redisUrl !== undefined && config.databaseUrl !== undefined) {
    // Loaded only here: a single process never loads the Redis and PostgreSQL clients.
    const { openCluster } = await import("./cluster/cluster.ts");
    const cluster = await openCluster({
      redisUrl: config.redisUrl,
      databaseUrl: config.databaseUrl,
      serverId: config.serverId,
      roundDurationMs: config.roundDurationMs,
      maxClicksPerSecond: config.maxClicksPerSecond,
      logError,
      afterClose: options.afterClose,
    });
    return {
      db: cluster.db,
      game: cluster.game,
      roundDurationMs: cluster.grid.durationMs,
      lastRound: () => cluster.game.lastRound,
      playersOnline: () => Math.max(0, cluster.online),
      attempts: cluster.attempts,
      start: (hub) =>
        cluster.start({
          endRound: (endRound) =>
            announceRound(hub, endRound, cluster.grid.durationMs, options.roundEnded),
          onlineChanged: () => hub.registry.onlineChanged(),
          standingMoved: (playerId) => hub.standingMovedElsewhere(playerId),
          kick(playerId) {
            const oldest = hub.registry.connectionsOf(playerId)[0];
            if (oldest === undefined) return;
            hub.registry.close(
              oldest,
              tooManyConnections(
                "Too many connections: this player has too many open across the game",
              ),
            );
          },
        }),
      loopHealth: () => cluster.loopHealth(),
      cluster: () => cluster.health(),
      leadership: () => cluster.leadership(),
      serverId: cluster.serverId,
      relay: cluster.relay,
      listening: (hostname, port) =>
        cluster.advertise(advertisedUrl(config.advertiseUrl, hostname, port)),
      async stop(closeSockets) {
        // The leader's unit of work in flight finishes, and the lease goes to another server.
        await cluster.stop();
        closeSockets();
      },
    };
  }
  const db = await openDatabase(config.databasePath, { logError });
  return {
    db,
    game: loop.game,
    roundDurationMs: config.roundDurationMs,
    lastRound: () => loop.lastRound,
    start: (hub) =>
      loop.start({
        db,
        broadcast: (endRound) =>
          announceRound(hub, endRound, config.roundDurationMs, options.roundEnded),
        roundDurationMs: config.roundDurationMs,
        maxClicksPerSecond: config.maxClicksPerSecond,
        logError,
      }),
    loopHealth: () => loop.health(),
    leadership: () => ({ leading: true, changes: 0 }),
    listening: () => {},
    stop: (closeSockets) => loop.stop({ beforeSave: closeSockets }),
  };
}
