/**
 * Where the game runs, as the server sees it: in this process on SQLite
 * (`single/single_backend.ts`, the default), or in Redis and PostgreSQL
 * shared with other servers (`cluster/cluster_backend.ts`). Both open the
 * same {@linkcode GameBackend}; `server.ts` serves either the same way.
 *
 * @module
 */

import type { Kysely } from "kysely";
import type { Config } from "./config.ts";
import type { Database } from "./db/schema.ts";
import type { Hub } from "./hub/hub.ts";
import type { HubGame } from "./hub/hub_game.ts";
import type { LastRound } from "./hub/wire.ts";
import type { ClusterHealth } from "./cluster/cluster.ts";
import type { AttemptCounterFactory } from "./auth/attempt_limit.ts";
import type { ConnectionRelay } from "./hub/transport.ts";
import type { RoundObserver } from "./announce_round.ts";
import type { ProblemLog } from "./log/problem_log.ts";
import type { RoundLoop } from "./single/round_loop.ts";
import { openSingleBackend } from "./single/single_backend.ts";

/** How the last unit of work went, for `/healthz`. */
export interface UnitOfWorkOutcome {
  readonly at: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** The state of whatever ends rounds, for `/healthz`. */
export interface RoundLoopHealth {
  readonly running: boolean;
  readonly roundId: number;
  readonly roundEndsAt: number;
  /** Rounds ended but not yet recorded, nor announced (a failed unit of work is retried). */
  readonly unrecorded: number;
  readonly lastUnitOfWork: UnitOfWorkOutcome | null;
}

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

/** What {@linkcode openGameBackend} needs besides the configuration. */
export interface GameBackendOptions {
  /** In a single process, the round loop to run (default: a new one). */
  readonly loop?: RoundLoop;
  /** Where trouble is reported (default: each part's own category of the `clicker` logger). */
  readonly log?: ProblemLog;
  /** With several servers: called right after this server closed round `id`, before recording it. */
  readonly afterClose?: (id: number) => void;
  /** Told of each round announced here, for the metrics. */
  readonly roundEnded?: RoundObserver;
}

/** Opens the game `config` asks for: several servers with `REDIS_URL`, else this process. */
export async function openGameBackend(
  config: Config,
  options: GameBackendOptions,
): Promise<GameBackend> {
  if (config.redisUrl !== undefined && config.databaseUrl !== undefined) {
    // Loaded only here: a single process never loads the Redis and PostgreSQL clients.
    const { openClusterBackend } = await import("./cluster/cluster_backend.ts");
    return await openClusterBackend(
      { ...config, redisUrl: config.redisUrl, databaseUrl: config.databaseUrl },
      options,
    );
  }
  return await openSingleBackend(config, options);
}
