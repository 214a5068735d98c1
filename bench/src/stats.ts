// Small numeric helpers for samples taken on a shared, noisy machine: medians (robust to one slow
// repetition) and rounding to a few significant digits so results.json diffs stay readable.

/** Significant digits kept in results.json and the table. */
export const SIGNIFICANT_DIGITS = 3;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no samples");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** (max − min) / median: how far apart the repetitions were. */
export function relativeSpread(values: readonly number[]): number {
  const mid = median(values);
  return mid === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / mid;
}

export function roundSignificant(value: number, digits = SIGNIFICANT_DIGITS): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}
