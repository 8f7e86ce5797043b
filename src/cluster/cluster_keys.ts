/**
 * The names of everything several servers keep in Redis, in one place. All
 * share one prefix (default `clicker:`), so one Redis can hold other data.
 * Scripts reach the per-round and per-player keys by prefix, which needs a
 * single Redis (or a primary with replicas), not Redis Cluster.
 *
 * @module
 */

/** Every Redis key (or key prefix) of the game. */
export interface ClusterKeys {
  /** Hash: the round in progress (`id`, `startedAt`, `endsAt`) and the grid (`gridStart`, `durationMs`). */
  readonly round: string;
  /** String: the leader's lease token, with a time to live. */
  readonly leader: string;
  /** Hash: round id → the result of a closed round not yet announced (JSON). */
  readonly closed: string;
  /** Sorted set: ids of closed rounds not yet announced, scored by id. */
  readonly pending: string;
  /** String: the highest round id announced. */
  readonly announced: string;
  /** Stream: one entry per announced round (`EndRound`'s fields). */
  readonly events: string;
  /**
   * Prefix of a round's standings hash (`s`, `m`, `v` + player: score,
   * multiplier, moves); + round id. The round's race is the sorted set at
   * that key + `:race` (player id → score + a fraction that is larger the
   * earlier the score was reached; only scores above 0).
   */
  readonly scores: string;
  /**
   * Prefix of the click buckets of a window of time (a hash, player id →
   * `"tokens updatedMs"`, expiring); + `w` and the window's number.
   */
  readonly bucket: string;
  /** Sorted set: live server ids, scored by when their presence expires (Redis ms). */
  readonly servers: string;
  /** Hash: live server id → the origin other servers reach it at (`ADVERTISE_URL`). */
  readonly addresses: string;
  /** Prefix of a server's players hash (player id → open connections); + server id. */
  readonly online: string;
  /** Prefix of a server's stream of connections to close (the player is over the limit); + server id. */
  readonly kicks: string;
  /** Prefix of an attempt counter (logins, registrations); + its name. */
  readonly attempts: string;
  /** Hash: this Redis's epoch (`id`), and after a loss `lostAt`, `pending`, `m:<server>` (see `redis_epoch.ts`). */
  readonly epoch: string;
}

/** The keys under `prefix`. */
export function clusterKeys(prefix = "clicker:"): ClusterKeys {
  return Object.freeze({
    round: `${prefix}round`,
    leader: `${prefix}leader`,
    closed: `${prefix}closed`,
    pending: `${prefix}pending`,
    announced: `${prefix}announced`,
    events: `${prefix}events`,
    scores: `${prefix}r:`,
    bucket: `${prefix}b:`,
    servers: `${prefix}servers`,
    addresses: `${prefix}addresses`,
    online: `${prefix}online:`,
    kicks: `${prefix}kicks:`,
    attempts: `${prefix}a:`,
    epoch: `${prefix}epoch`,
  });
}
