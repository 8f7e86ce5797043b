/**
 * Is the server flat after warm-up? Its memory and file descriptors sampled
 * over the soak, judged against stated bounds: resident memory may not grow
 * faster than `maxRssSlopeMiBPerHour` (a least-squares line through the
 * samples after warm-up) unless it grew less than `rssNoiseMiB` in all (the
 * garbage collector alone moves it by that much, and a short run's slope is
 * mostly that noise); and once every client has left, the descriptors must be
 * back to what the server held before the first one came.
 *
 * @module
 */

/** One reading of the server. */
export interface Sample {
  /** Minutes since the soak began. */
  readonly minute: number;
  readonly rssMiB: number;
  readonly fds: number;
}

/** The bounds of {@linkcode judgeTrend}; the defaults are the soak's. */
export interface TrendBounds {
  /** Samples before this minute are warm-up (default 5, or a third of a shorter run). */
  readonly warmupMinutes?: number;
  /** Default 16 MiB an hour. */
  readonly maxRssSlopeMiBPerHour?: number;
  /** Default 8 MiB. */
  readonly rssNoiseMiB?: number;
  /** Descriptors the server may hold above its level before the first client (default 4). */
  readonly fdSlack?: number;
}

/** What {@linkcode judgeTrend} found. */
export interface Trend {
  readonly warmupMinutes: number;
  /** Least-squares slope of RSS after warm-up, MiB an hour (NaN with under 2 samples). */
  readonly rssSlopeMiBPerHour: number;
  /** Last RSS after warm-up minus the first, MiB. */
  readonly rssGrowthMiB: number;
  readonly rssFlat: boolean;
  /** Descriptors before the first client, and after the last one left. */
  readonly fdsBefore: number;
  readonly fdsAfter: number;
  readonly fdsBack: boolean;
}

/** Least-squares slope of `y` over `x`; NaN with fewer than two distinct `x`. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/**
 * Judges the samples of a run of `minutes`; `fdsBefore` and `fdsAfter` are the
 * descriptors before any client and after all left.
 */
export function judgeTrend(
  samples: readonly Sample[],
  minutes: number,
  fdsBefore: number,
  fdsAfter: number,
  bounds: TrendBounds = {},
): Trend {
  const {
    warmupMinutes = minutes / 3,
    maxRssSlopeMiBPerHour = 16,
    rssNoiseMiB = 8,
    fdSlack = 4,
  } = bounds;
  const after = samples.filter((s) => s.minute >= warmupMinutes && Number.isFinite(s.rssMiB));
  const rssSlopeMiBPerHour = slope(after.map((s) => [s.minute / 60, s.rssMiB]));
  const rssGrowthMiB = after.length ? after[after.length - 1].rssMiB - after[0].rssMiB : NaN;
  const rssFlat = after.length >= 2 &&
    (rssGrowthMiB <= rssNoiseMiB || rssSlopeMiBPerHour <= maxRssSlopeMiBPerHour);
  return {
    warmupMinutes,
    rssSlopeMiBPerHour,
    rssGrowthMiB,
    rssFlat,
    fdsBefore,
    fdsAfter,
    fdsBack: fdsAfter <= fdsBefore + fdSlack,
  };
}
