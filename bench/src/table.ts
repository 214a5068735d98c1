// The printed table and the results.json record of one run.
import type { BenchRow, Measurement, SkippedCase } from "./harness.js";
import type { MachineInfo } from "./machine.js";
import { relativeSpread, roundSignificant } from "./stats.js";

export interface FailedCase {
  readonly caseId: string;
  readonly title: string;
  readonly error: string;
}

export interface RunRecord {
  /** The only time field: the UTC day of the run. */
  readonly run_date: string;
  readonly mode: "quick" | "full";
  readonly machine: MachineInfo;
  readonly rows: readonly BenchRow[];
  readonly skipped: readonly SkippedCase[];
  readonly failed: readonly FailedCase[];
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)} k`;
  if (abs >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

function formatMeasurement(m: Measurement | undefined): string {
  return m ? `${formatNumber(m.value)} ${m.unit}` : "";
}

function status(row: BenchRow): string {
  if (row.goals.length === 0) return "";
  return row.goals.every((goal) => goal.met) ? "ok" : "MISSED";
}

const HEADERS = [
  "case",
  "measured",
  "median",
  "±",
  "baseline",
  "baseline median",
  "ratio",
  "per CPU-s",
  "goal",
  "",
];

export function renderTable(record: RunRecord): string {
  const lines: string[][] = [HEADERS];
  const notes: string[] = [];
  for (const row of record.rows) {
    lines.push([
      `${row.caseId} ${row.title}`,
      row.subject.label,
      formatMeasurement(row.subject),
      `${Math.round(relativeSpread(row.subject.samples) * 100)}%`,
      row.baseline?.label ?? "",
      formatMeasurement(row.baseline),
      row.ratio?.text ?? "",
      row.cpu ? `${row.cpu.ratio.value.toFixed(2)}×` : "",
      row.goals.map((goal) => goal.text).join(", "),
      status(row),
    ]);
    if (row.note) notes.push(`${row.caseId}: ${row.note}`);
  }
  for (const skip of record.skipped) {
    lines.push([`${skip.caseId} ${skip.title}`, "skipped", ...HEADERS.slice(2).map(() => "")]);
    notes.push(`${skip.caseId}: skipped: ${skip.reason}`);
  }
  for (const fail of record.failed) {
    lines.push([`${fail.caseId} ${fail.title}`, "FAILED", ...HEADERS.slice(2).map(() => "")]);
    notes.push(`${fail.caseId}: failed: ${fail.error}`);
  }
  const widths = HEADERS.map((_, col) => Math.max(...lines.map((line) => line[col]!.length)));
  const render = (line: string[]) =>
    line
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  const m = record.machine;
  return [
    `pnpm bench${record.mode === "quick" ? " --quick" : ""}  ${record.run_date}  ${m.cores}× ${m.cpu}, ${m.memory_gb} GB, node ${m.node}, load ${m.load_at_start}`,
    "",
    render(lines[0]!),
    rule,
    ...lines.slice(1).map(render),
    "",
    ...notes.map((note) => `  ${note}`),
  ].join("\n");
}

function roundMeasurement(m: Measurement | undefined) {
  if (!m) return undefined;
  return {
    label: m.label,
    unit: m.unit,
    median: roundSignificant(m.value),
    samples: m.samples.map((v) => roundSignificant(v)),
  };
}

/** results.json: rounded to a few significant digits so a re-run changes only what really moved. */
export function resultsJson(record: RunRecord): string {
  const json = {
    run_date: record.run_date,
    mode: record.mode,
    machine: record.machine,
    results: record.rows.map((row) => ({
      case: row.caseId,
      title: row.title,
      subject: roundMeasurement(row.subject),
      baseline: roundMeasurement(row.baseline),
      ratio: row.ratio ? { value: roundSignificant(row.ratio.value), text: row.ratio.text } : undefined,
      per_cpu_second: row.cpu
        ? {
            subject: roundMeasurement(row.cpu.subject),
            baseline: roundMeasurement(row.cpu.baseline),
            ratio: roundSignificant(row.cpu.ratio.value),
          }
        : undefined,
      goals: row.goals,
      note: row.note,
    })),
    skipped: record.skipped,
    failed: record.failed,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
