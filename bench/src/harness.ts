// The bench harness: a case measures its subject and its baseline in the same run (interleaved,
// repetition by repetition, so a noisy neighbour hurts both alike) and reports rows whose ratio is
// what the goal is about. Absolute numbers are printed next to the ratio but never judged alone,
// except where the issue sets an absolute goal (µs per call, bytes per event, ms per query).
import { performance } from "node:perf_hooks";
import { ownCpuSeconds } from "./cpu.js";
import { median, relativeSpread } from "./stats.js";

export type Unit = "events/s" | "events/CPU-s" | "ms" | "µs" | "bytes/event";

export interface Measurement {
  readonly label: string;
  readonly unit: Unit;
  /** Median over the repetitions. */
  readonly value: number;
  readonly samples: readonly number[];
}

export interface Goal {
  readonly text: string;
  readonly met: boolean;
}

export interface Ratio {
  readonly value: number;
  readonly text: string;
}

/** The same comparison in work per CPU-second of the process doing the work. */
export interface CpuComparison {
  readonly subject: Measurement;
  readonly baseline: Measurement;
  readonly ratio: Ratio;
}

export interface BenchRow {
  /** "1", "2", … as numbered in the issue. */
  readonly caseId: string;
  readonly title: string;
  readonly subject: Measurement;
  readonly baseline?: Measurement;
  /** Subject against baseline, e.g. "0.41×" of the ceiling or "230× faster". */
  readonly ratio?: Ratio;
  readonly cpu?: CpuComparison;
  readonly goals: readonly Goal[];
  readonly note?: string;
}

export interface SkippedCase {
  readonly caseId: string;
  readonly title: string;
  readonly reason: string;
}

export interface CaseOptions {
  readonly quick: boolean;
  /** Repetitions per measurement; the median is reported. */
  readonly repetitions: number;
  /** Write V8 CPU profiles of the collector and in-process hot loops into this folder. */
  readonly profileDir: string | null;
  readonly log: (line: string) => void;
}

export type CaseResult = { readonly rows: readonly BenchRow[] } | { readonly skipped: SkippedCase };

export interface BenchCase {
  readonly id: string;
  readonly title: string;
  run(options: CaseOptions): Promise<CaseResult>;
}

export function measurement(label: string, unit: Unit, samples: readonly number[]): Measurement {
  return { label, unit, value: median(samples), samples };
}

/** Items per wall-clock second and per CPU-second (null where CPU time cannot be read). */
export interface Rates {
  readonly wall: number;
  readonly cpu: number | null;
}

/** Rates of `work` (which returns how many items it handled), run for at least `minMs`. */
export function rates(work: () => number, minMs: number): Rates {
  let items = 0;
  const cpu0 = ownCpuSeconds();
  const start = performance.now();
  let elapsed = 0;
  do {
    items += work();
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return { wall: (items / elapsed) * 1000, cpu: items / (ownCpuSeconds() - cpu0) };
}

/** `rates` for work that must be awaited (one await per call of `work`). */
export async function ratesAsync(work: () => Promise<number>, minMs: number): Promise<Rates> {
  let items = 0;
  const cpu0 = ownCpuSeconds();
  const start = performance.now();
  let elapsed = 0;
  do {
    items += await work();
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return { wall: (items / elapsed) * 1000, cpu: items / (ownCpuSeconds() - cpu0) };
}

/** Items per wall-clock second only. */
export function throughput(work: () => number, minMs: number): number {
  return rates(work, minMs).wall;
}

/** Median time of one call of `work`, in ms, over batches of calls lasting at least `minMs` in all. */
export function timePerCall(work: () => void, minMs: number, callsPerBatch = 1): number {
  const perCall: number[] = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    for (let i = 0; i < callsPerBatch; i++) work();
    perCall.push((performance.now() - t0) / callsPerBatch);
  } while (performance.now() - start < minMs);
  return median(perCall);
}

/**
 * Run each variant once per repetition, in turn (A B C A B C …), after one unrecorded warm-up
 * round, and return the samples of each variant by name.
 */
export async function interleave<K extends string, T = number>(
  repetitions: number,
  variants: Record<K, () => T | Promise<T>>,
): Promise<Record<K, T[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let round = -1; round < repetitions; round++) {
    for (const name of names) {
      const value = await variants[name]();
      if (round >= 0) samples[name].push(value);
    }
  }
  return samples;
}

/** Subject as a fraction of its baseline (higher is better for both, e.g. events/s). */
export function fractionOf(subject: Measurement, baseline: Measurement): Ratio {
  const value = subject.value / baseline.value;
  return { value, text: `${value.toFixed(2)}× ${baseline.label}` };
}

/** How many times faster the subject is than the baseline (lower is better for both, e.g. ms). */
export function speedupOver(subject: Measurement, baseline: Measurement): Ratio {
  const value = baseline.value / subject.value;
  return {
    value,
    text: `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}× faster than ${baseline.label}`,
  };
}

export function spreadOf(m: Measurement): number {
  return relativeSpread(m.samples);
}

/**
 * Wall and CPU measurements of a subject and a baseline from Rates samples, compared as fractions.
 * The CPU comparison is left out when either side's CPU time could not be read.
 */
export function compareRates(
  subjectLabel: string,
  subjectSamples: readonly Rates[],
  baselineLabel: string,
  baselineSamples: readonly Rates[],
): { subject: Measurement; baseline: Measurement; ratio: Ratio; cpu?: CpuComparison } {
  const subject = measurement(
    subjectLabel,
    "events/s",
    subjectSamples.map((r) => r.wall),
  );
  const baseline = measurement(
    baselineLabel,
    "events/s",
    baselineSamples.map((r) => r.wall),
  );
  const subjectCpu = subjectSamples.map((r) => r.cpu);
  const baselineCpu = baselineSamples.map((r) => r.cpu);
  const known = (values: (number | null)[]): values is number[] => values.every((v) => v !== null);
  if (!known(subjectCpu) || !known(baselineCpu))
    return { subject, baseline, ratio: fractionOf(subject, baseline) };
  const cpuSubject = measurement(subjectLabel, "events/CPU-s", subjectCpu);
  const cpuBaseline = measurement(baselineLabel, "events/CPU-s", baselineCpu);
  return {
    subject,
    baseline,
    ratio: fractionOf(subject, baseline),
    cpu: { subject: cpuSubject, baseline: cpuBaseline, ratio: fractionOf(cpuSubject, cpuBaseline) },
  };
}

/** Median time of one awaited call of `work`, in ms, over at least `minMs` of calls. */
export async function timePerAsyncCall(work: () => Promise<unknown>, minMs: number): Promise<number> {
  const perCall: number[] = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    await work();
    perCall.push(performance.now() - t0);
  } while (performance.now() - start < minMs);
  return median(perCall);
}
