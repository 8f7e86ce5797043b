import assert from "node:assert/strict";
import { phaseCost } from "../../bench/scrape.ts";

Deno.test("phaseCost() sums the even phases of the grid, whatever phase comes first", () => {
  // Phases 7, 8, 9, 10: 8 and 10 are even.
  const phases = {
    firstPhase: 7,
    phaseClicks: [40_000, 38_000, 42_000, 40_000],
    phaseServerSeconds: [0.75, 1.25, 0.5, 0.75],
  };
  const even = phaseCost(phases, "even", 2000);
  assert.equal(even.cpuPerClickUs, 2 / 78_000 * 1e6);
  assert.equal(even.clicksPerSecond, 78_000 / 4);
  assert.equal(even.cores, 0.5);
  const odd = phaseCost(phases, "odd", 2000);
  assert.equal(odd.cpuPerClickUs, 1.25 / 82_000 * 1e6);
  assert.equal(odd.clicksPerSecond, 82_000 / 4);
  assert.equal(odd.cores, 1.25 / 4);
});

Deno.test("phaseCost() gives NaN when no phase of that parity was measured", () => {
  const cost = phaseCost(
    { firstPhase: 4, phaseClicks: [100], phaseServerSeconds: [1] },
    "odd",
    2000,
  );
  assert.ok(Number.isNaN(cost.cpuPerClickUs));
  assert.ok(Number.isNaN(cost.clicksPerSecond));
  assert.ok(Number.isNaN(cost.cores));
});
