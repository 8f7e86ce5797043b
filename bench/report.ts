/**
 * The results table: each figure for project and baseline as the median of
 * the repeats with their min–max, the ratio project/baseline, and the goal.
 *
 * @module
 */

import type { Sizes } from "./scenarios.ts";
import { median } from "./stats.ts";

/** A goal on a figure: on the ratio project/baseline, or on the project's own value. */
export type Goal =
  | { readonly on: "ratio"; readonly atLeast?: number; readonly atMost?: number }
  | { readonly on: "value"; readonly below: number };

/** One row of the table. */
export interface Metric {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly goal?: Goal;
}

/** The table's rows, in order, for these sizes. */
export function metricsFor(sizes: Sizes): Metric[] {
  const [small, big] = sizes.fanout;
  const n = (x: number) => x.toLocaleString("en-US");
  const rows: Metric[] = [];
  for (const players of sizes.floodPlayers) {
    rows.push({
      id: `flood${players}`,
      label: `Click flood, ${players} player${players === 1 ? "" : "s"}: clicks counted/s`,
      unit: "/s",
      goal: players >= 10 ? { on: "ratio", atLeast: 0.8 } : undefined,
    });
  }
  const last = sizes.floodPlayers.at(-1);
  rows.push(
    { id: `floodCpu${last}`, label: `… server CPU during the ${last}-player flood`, unit: "core" },
    {
      id: "rttP50",
      label: `invoke("Increment") round-trip p50, ${sizes.rttPlayers} players`,
      unit: "ms",
    },
    {
      id: "rttP99",
      label: `invoke("Increment") round-trip p99, ${sizes.rttPlayers} players`,
      unit: "ms",
      goal: { on: "ratio", atMost: 1.5 },
    },
  );
  for (const size of [small, big]) {
    rows.push(
      {
        id: `fanLast${size}`,
        label: `EndRound fan-out to ${n(size)}: deadline → last receipt`,
        unit: "ms",
        goal: size === big ? { on: "ratio", atMost: 1.2 } : undefined,
      },
      { id: `fanP50_${size}`, label: `EndRound fan-out to ${n(size)}: receipt p50`, unit: "ms" },
      { id: `fanP99_${size}`, label: `EndRound fan-out to ${n(size)}: receipt p99`, unit: "ms" },
    );
  }
  rows.push(
    {
      id: "memPerPlayer",
      label: `Memory per idle connected player at ${n(big)} (server RSS)`,
      unit: "KiB",
      goal: { on: "ratio", atMost: 1.5 },
    },
    {
      id: "latenessP99",
      label: `EndRound lateness p99, ${sizes.latenessPlayers} players flooding at ` +
        `${sizes.latenessRate}/s each`,
      unit: "ms",
      goal: { on: "value", below: 5 },
    },
    {
      id: "latenessSatP99",
      label: `EndRound lateness p99, ${sizes.latenessPlayers} players flooding flat out`,
      unit: "ms",
    },
    { id: "loginIdleP99", label: "Probe round-trip p99, idle (reference)", unit: "ms" },
    {
      id: "loginLagP99",
      label: `Event-loop lag p99 (probe round-trip) during ${sizes.logins} logins`,
      unit: "ms",
      goal: { on: "value", below: 20 },
    },
    { id: "loginWall", label: `Time for ${sizes.logins} concurrent logins`, unit: "ms" },
  );
  return rows;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function cell(values: readonly number[], unit: string): string {
  if (values.length === 0) return "—";
  const mid = `${format(median(values))} ${unit}`;
  if (values.length === 1) return mid;
  return `${mid} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

function verdict(goal: Goal | undefined, project: number, ratio: number): [string, string] {
  if (!goal) return ["", ""];
  if (goal.on === "value") {
    return [
      `< ${goal.below} ms`,
      Number.isFinite(project) ? (project < goal.below ? "yes" : "**no**") : "?",
    ];
  }
  const text = goal.atLeast !== undefined ? `≥ ${goal.atLeast}×` : `≤ ${goal.atMost}×`;
  if (!Number.isFinite(ratio)) return [text, "?"];
  const met = goal.atLeast !== undefined ? ratio >= goal.atLeast : ratio <= goal.atMost!;
  return [text, met ? "yes" : "**no**"];
}

/** Per metric id, each repeat's figure. */
export type Samples = Record<string, number[]>;

/** The markdown table, with a header naming the machine and how it was run. */
export function renderReport(
  metrics: readonly Metric[],
  project: Samples,
  baseline: Samples,
  header: readonly string[],
  projectName: string,
): string {
  const lines = [
    ...header,
    "",
    `| Figure | ${projectName} | Baseline | Ratio | Goal | Met |`,
    "|---|---:|---:|---:|---|---|",
  ];
  for (const m of metrics) {
    const p = project[m.id] ?? [];
    const b = baseline[m.id] ?? [];
    const ratio = median(p) / median(b);
    const [goal, met] = verdict(m.goal, median(p), ratio);
    const r = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "—";
    lines.push(
      `| ${m.label} | ${cell(p, m.unit)} | ${cell(b, m.unit)} | ${r} | ${goal} | ${met} |`,
    );
  }
  return lines.join("\n") + "\n";
}
