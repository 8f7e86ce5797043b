import assert from "node:assert/strict";
import { judgeTrend, type Sample, slope } from "../../bench/soak_trend.ts";

const samples = (rss: (minute: number) => number): Sample[] =>
  Array.from({ length: 61 }, (_, minute) => ({ minute, rssMiB: rss(minute), fds: 40 }));

Deno.test("slope() is the least-squares slope", () => {
  assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
  assert.ok(Number.isNaN(slope([[1, 1]])));
});

Deno.test("judgeTrend() passes memory that levels off after warm-up", () => {
  const trend = judgeTrend(samples((m) => (m < 5 ? 200 + 10 * m : 250 + (m % 2))), 60, 30, 31);
  assert.equal(trend.warmupMinutes, 20);
  assert.equal(trend.rssFlat, true);
  assert.equal(trend.fdsBack, true);
});

Deno.test("judgeTrend() fails memory that keeps growing, and descriptors not given back", () => {
  const trend = judgeTrend(samples((m) => 200 + m / 2), 60, 30, 90);
  assert.equal(Math.round(trend.rssSlopeMiBPerHour), 30);
  assert.equal(trend.rssFlat, false);
  assert.equal(trend.fdsBack, false);
});

Deno.test("judgeTrend() takes growth under the noise bound as flat in a short run", () => {
  const short = samples((m) => 200 + m * 3).slice(0, 4);
  assert.equal(judgeTrend(short, 3, 30, 30).warmupMinutes, 1);
  assert.equal(judgeTrend(short, 3, 30, 30).rssFlat, true, "6 MiB over two minutes");
});
