// Framework-free comparisons of collector answers against the naive reference: counts, order, keys
// and tags exactly; float means (which incremental stores keep as running sums) within a tolerance.
import type { Pattern, Recommendation } from "@synthorg/schema";

/** Means differ from a fresh sum by float rounding only; far below any meaningful difference. */
export const DEFAULT_TOLERANCE = 1e-9;
/** Rounded outputs (4 decimals) can land one step apart when a mean sits on a rounding edge. */
export const ROUNDED_TOLERANCE = 1e-4 + 1e-12;

function close(a: number | null, b: number | null, tolerance: number): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= tolerance;
}

/** Differences between two pattern lists, one line each; empty when they agree. */
export function diffPatterns(
  actual: readonly Pattern[],
  expected: readonly Pattern[],
  tolerance = DEFAULT_TOLERANCE,
): string[] {
  const out: string[] = [];
  if (actual.length !== expected.length) out.push(`length ${actual.length} != ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i] as Pattern;
    const e = expected[i] as Pattern;
    const at = `[${i}] ${e.source_rule}/${e.altitude}`;
    for (const key of [
      "source_rule",
      "altitude",
      "deployment_count",
      "total_events",
      "decision_count",
      "rollout_count",
      "approval_rate",
      "success_rate",
    ] as const) {
      if (a[key] !== e[key]) out.push(`${at}.${key}: ${String(a[key])} != ${String(e[key])}`);
    }
    for (const key of ["avg_confidence", "avg_observation_hours"] as const) {
      if (!close(a[key], e[key], tolerance)) out.push(`${at}.${key}: ${String(a[key])} != ${String(e[key])}`);
    }
    if (JSON.stringify(a.industry_breakdown) !== JSON.stringify(e.industry_breakdown)) {
      out.push(
        `${at}.industry_breakdown: ${JSON.stringify(a.industry_breakdown)} != ${JSON.stringify(e.industry_breakdown)}`,
      );
    }
  }
  return out;
}

/** The same for recommendations (the rationale is prose and not compared). */
export function diffRecommendations(
  actual: readonly Recommendation[],
  expected: readonly Recommendation[],
  tolerance = ROUNDED_TOLERANCE,
): string[] {
  const out: string[] = [];
  if (actual.length !== expected.length) out.push(`length ${actual.length} != ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i] as Recommendation;
    const e = expected[i] as Recommendation;
    const at = `[${i}] ${e.rule_name}/${e.altitude}`;
    for (const key of [
      "rule_name",
      "altitude",
      "metric_name",
      "current_default",
      "direction",
      "based_on_deployments",
      "based_on_observations",
    ] as const) {
      if (a[key] !== e[key]) out.push(`${at}.${key}: ${String(a[key])} != ${String(e[key])}`);
    }
    for (const key of ["recommended_value", "confidence"] as const) {
      if (!close(a[key], e[key], tolerance)) out.push(`${at}.${key}: ${a[key]} != ${e[key]}`);
    }
  }
  return out;
}
