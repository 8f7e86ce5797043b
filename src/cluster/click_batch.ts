/**
 * The click path across servers: every click, purchase and standing read of
 * one event-loop turn goes to Redis as one call of the click script
 * ({@linkcode CLICKS}, `click_script.ts`), and each operation's outcome
 * comes back to the handler it was queued with, in the order queued.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { START } from "../game/rules.ts";
import { bucketShape } from "../game/click_limit.ts";
import type { ClusterKeys } from "./cluster_keys.ts";
import type { Redis } from "./redis_connection.ts";
import { CLICKS } from "./click_script.ts";

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
