/**
 * The per-player click cap, as a token bucket: it holds at most `rate`
 * clicks and refills `rate` per second, so a steady clicker under the cap is
 * never refused while bursts above it are cut.
 *
 * @module
 */

/** A token bucket's state; mutate only through {@linkcode takeClick}. */
export interface ClickBucket {
  tokens: number;
  updatedMs: number;
}

/** The bucket of a cap of `rate` clicks a second: the clicks it holds, and gains each second. */
export interface BucketShape {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** The bucket a cap of `rate` clicks a second keeps for each player. */
export function bucketShape(rate: number): BucketShape {
  return { capacity: rate, refillPerSecond: rate };
}

/** A full bucket at `nowMs`. */
export function newBucket(rate: number, nowMs: number): ClickBucket {
  return { tokens: bucketShape(rate).capacity, updatedMs: nowMs };
}

/**
 * Takes one click from the bucket if it has one. Refills first from the time
 * elapsed since the last call. Returns whether the click counts.
 */
export function takeClick(bucket: ClickBucket, rate: number, nowMs: number): boolean {
  const { capacity, refillPerSecond } = bucketShape(rate);
  const elapsed = nowMs - bucket.updatedMs;
  if (elapsed > 0) {
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * refillPerSecond) / 1000);
    bucket.updatedMs = nowMs;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  return false;
}
