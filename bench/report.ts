/**
 * A results table: each figure for project and baseline (or, in the
 * clustered part, clustered and single process) as the median of the repeats
 * with their min–max, the ratio of the first column to the second, and the
 * goal.
 *
 * @module
 */

import type { Metric } from "./metrics.ts";
import { median } from "./stats.ts";

function format(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function cell(raw: readonly (number | null)[], metric: Metric): string {
  // JSON keeps a NaN figure as null.
  const values = raw.filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
  if (values.length === 0) return raw.length === 0 ? "—" : metric.missing ?? "—";
  const gaps = raw.length - values.length;
  const missed = gaps === 0 ? "" : `, ${metric.missing ?? "no figure"} in ${gaps}`;
  if (metric.unit === "yes/no") {
    const yes = values.filter((v) => v === 1).length;
    const word = yes * 2 >= values.length ? "yes" : "**no**";
    return values.length === 1 ? word : `${word} (${yes}/${values.length} yes${missed})`;
  }
  const mid = `${format(median(values))}${metric.unit ? ` ${metric.unit}` : ""}`;
  if (values.length === 1) return gaps === 0 ? mid : `${mid} (${missed.slice(2)})`;
  return `${mid} (${format(Math.min(...values))}–${format(Math.max(...values))}${missed})`;
}

function verdict(metric: Metric, project: number, ratio: number): [string, string] {
  const { goal } = metric;
  if (!goal) return ["", ""];
  if (goal.on === "value") {
    return [
      `< ${goal.below} ${metric.unit}`,
      Number.isFinite(project) ? (project < goal.below ? "yes" : "**no**") : "?",
    ];
  }
  const text = goal.atLeast !== undefined ? `≥ ${goal.atLeast}×` : `≤ ${goal.atMost}×`;
  if (!Number.isFinite(ratio)) return [text, "?"];
  const met = goal.atLeast !== undefined ? ratio >= goal.atLeast : ratio <= goal.atMost!;
  return [text, met ? "yes" : "**no**"];
}

/** Per metric id, each repeat's figure (NaN, or null once through JSON, when there was none). */
export type Samples = Record<string, number[]>;

function known(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
}

/** The markdown table under `header`; `columns` names the two measured columns. */
export function renderReport(
  metrics: readonly Metric[],
  project: Samples,
  baseline: Samples,
  header: readonly string[],
  columns: readonly [string, string],
): string {
  const lines = [
    ...header,
    "",
    `| Figure | ${columns[0]} | ${columns[1]} | Ratio | Goal | Met |`,
    "|---|---:|---:|---:|---|---|",
  ];
  for (const m of metrics) {
    const p = project[m.id] ?? [];
    const b = baseline[m.id] ?? [];
    const ratio = m.unit === "yes/no" || m.noRatio ? NaN : median(known(p)) / median(known(b));
    const [goal, met] = verdict(m, median(known(p)), ratio);
    const r = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "—";
    lines.push(`| ${m.label} | ${cell(p, m)} | ${cell(b, m)} | ${r} | ${goal} | ${met} |`);
  }
  return lines.join("\n") + "\n";
}
