// Patterns from per-group aggregates (DESIGN.md "Patterns"). Pure and O(groups + tags): every
// store hands its GroupAggregate rows here, so all stores answer alike.
import type { Pattern } from "@synthorg/schema";
import type { GroupAggregate } from "./store/types.js";

/** The k a query runs at: a caller may raise the configured minimum, never lower it. */
export function effectiveMinDeployments(requested: number | undefined, configured: number): number {
  return Math.max(requested ?? 0, configured);
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/**
 * A mean kept inside the range its values come from. Stores keep float sums incrementally and
 * subtract on eviction, so a sum may be off by a few ulps; the clamp keeps e.g. a mean of
 * confidences from reading 1.0000000000000002.
 */
function boundedMean(sum: number, count: number, max: number): number {
  return Math.min(max, Math.max(0, sum / count));
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePatterns(a: Pattern, b: Pattern): number {
  return (
    b.deployment_count - a.deployment_count ||
    b.total_events - a.total_events ||
    compareText(a.source_rule, b.source_rule) ||
    compareText(a.altitude, b.altitude)
  );
}

/**
 * Groups seen in at least `k` distinct deployments, with industry tags seen in at least `k`
 * deployments of the group (a rarer tag could identify a deployment).
 */
export function buildPatterns(groups: readonly GroupAggregate[], k: number): Pattern[] {
  const patterns: Pattern[] = [];
  for (const group of groups) {
    if (group.deployment_count < k) continue;
    const industries = group.industries
      .filter((industry) => industry.deployments >= k)
      .sort((a, b) => b.events - a.events || compareText(a.tag, b.tag));
    patterns.push({
      source_rule: group.source_rule,
      altitude: group.altitude,
      deployment_count: group.deployment_count,
      total_events: group.total_events,
      decision_count: group.decision_count,
      rollout_count: group.rollout_count,
      approval_rate: ratio(group.approved_count, group.decision_count),
      success_rate: ratio(group.success_count, group.rollout_count),
      avg_confidence:
        group.confidence_count === 0 ? 0 : boundedMean(group.confidence_sum, group.confidence_count, 1),
      avg_observation_hours:
        group.observation_hours_count === 0
          ? null
          : boundedMean(group.observation_hours_sum, group.observation_hours_count, Number.MAX_VALUE),
      industry_breakdown: industries.map((industry) => [industry.tag, industry.events]),
    });
  }
  return patterns.sort(comparePatterns);
}
