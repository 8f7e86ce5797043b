/**
 * The game across several servers, behind the same `GameBackend` as a
 * single process: opens this server's part of the cluster and ties it to
 * the hub (rounds announced, players online, standings moved, connections
 * over the limit).
 *
 * @module
 */

import type { Config } from "../config.ts";
import { announceRound } from "../announce_round.ts";
import type { GameBackend, GameBackendOptions } from "../game_backend.ts";
import { tooManyConnections } from "../hub/connection.ts";
import { advertisedUrl } from "./advertised_url.ts";
import { openCluster } from "./cluster.ts";

/** The configuration of a server among several: both services named. */
export type ClusterConfig = Config & { readonly redisUrl: string; readonly databaseUrl: string };

/** Joins the game kept in `config.redisUrl` and `config.databaseUrl`. */
export async function openClusterBackend(
  config: ClusterConfig,
  options: GameBackendOptions,
): Promise<GameBackend> {
  const cluster = await openCluster({
    redisUrl: config.redisUrl,
    databaseUrl: config.databaseUrl,
    serverId: config.serverId,
    roundDurationMs: config.roundDurationMs,
    maxClicksPerSecond: config.maxClicksPerSecond,
    log: options.log,
    afterClose: options.afterClose,
  });
  const durationMs = cluster.grid.durationMs;
  return {
    db: cluster.db,
    game: cluster.game,
    roundDurationMs: durationMs,
    lastRound: () => cluster.game.lastRound,
    playersOnline: () => Math.max(0, cluster.online),
    attempts: cluster.attempts,
    start: (hub) =>
      cluster.start({
        endRound: (endRound) => announceRound(hub, endRound, durationMs, options.roundEnded),
        onlineChanged: () => hub.registry.onlineChanged(),
        standingMoved: (playerId) => hub.standingMovedElsewhere(playerId),
        raceChanged: () => hub.raceChanged(),
        racePlayers: () => hub.racePlayers(),
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
