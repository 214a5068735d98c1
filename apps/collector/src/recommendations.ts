// Threshold recommendations from patterns (DESIGN.md "Recommendations"). Pure.
import {
  RULE_THRESHOLDS,
  isBuiltinRule,
  type AnalyticsConfig,
  type Pattern,
  type Recommendation,
  type RecommendationDirection,
  type RuleThreshold,
} from "@synthorg/schema";
import { compareText } from "./patterns.js";

/** Approval and success rates at or above this mean the rule fires too rarely. */
export const HIGH_RATE = 0.7;
/** Approval at or below this (with at least one decision) means the rule fires too often. */
export const LOW_APPROVAL_RATE = 0.3;
/** Every adjustment moves the default by at least this fraction… */
export const BASE_ADJUSTMENT = 0.1;
/** …plus up to this much more, scaled by how sure the proposals were (or were not). */
export const CONFIDENCE_ADJUSTMENT = 0.1;
/** A "fire more" recommendation reaches full confidence at this many deployments. */
export const FIRE_MORE_FULL_CONFIDENCE_DEPLOYMENTS = 10;
/** A "fire less" recommendation starts at this confidence… */
export const FIRE_LESS_BASE_CONFIDENCE = 0.5;
/** …and gains 1/this per deployment. */
export const FIRE_LESS_DEPLOYMENTS_DIVISOR = 20;
/** Recommended values and confidences are rounded to this many decimals. */
export const RECOMMENDATION_DECIMALS = 4;

const SCALE = 10 ** RECOMMENDATION_DECIMALS;

export function roundRecommendation(value: number): number {
  return Math.round(value * SCALE) / SCALE;
}

export function thresholdFor(rule: string): RuleThreshold | undefined {
  return isBuiltinRule(rule) ? RULE_THRESHOLDS[rule] : undefined;
}

/**
 * "Fire more" for a rule that fires below its threshold means raising it; for one that fires above,
 * lowering it. "Fire less" is the opposite.
 */
export function adjustedThreshold(
  threshold: RuleThreshold,
  direction: RecommendationDirection,
  adjustment: number,
): number {
  const raise = (direction === "fire_more") === (threshold.firesWhen === "below");
  return threshold.defaultValue * (raise ? 1 + adjustment : 1 - adjustment);
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

export function recommend(pattern: Pattern, minObservations: number): Recommendation | null {
  const threshold = thresholdFor(pattern.source_rule);
  if (threshold === undefined || pattern.total_events < minObservations) return null;
  const c = pattern.avg_confidence;
  const d = pattern.deployment_count;
  let direction: RecommendationDirection;
  let adjustment: number;
  let confidence: number;
  let verdict: string;
  if (pattern.approval_rate >= HIGH_RATE && pattern.success_rate >= HIGH_RATE) {
    direction = "fire_more";
    adjustment = BASE_ADJUSTMENT + CONFIDENCE_ADJUSTMENT * c;
    confidence = Math.min(c, d / FIRE_MORE_FULL_CONFIDENCE_DEPLOYMENTS, 1);
    verdict = "its proposals are mostly approved and succeed, so it is too conservative";
  } else if (pattern.decision_count >= 1 && pattern.approval_rate <= LOW_APPROVAL_RATE) {
    direction = "fire_less";
    adjustment = BASE_ADJUSTMENT + CONFIDENCE_ADJUSTMENT * (1 - c);
    confidence = Math.min(FIRE_LESS_BASE_CONFIDENCE + d / FIRE_LESS_DEPLOYMENTS_DIVISOR, 1);
    verdict = "its proposals are mostly rejected, so it is too aggressive";
  } else {
    return null;
  }
  return {
    rule_name: pattern.source_rule,
    altitude: pattern.altitude,
    metric_name: threshold.metricName,
    current_default: threshold.defaultValue,
    recommended_value: roundRecommendation(adjustedThreshold(threshold, direction, adjustment)),
    direction,
    confidence: roundRecommendation(confidence),
    based_on_deployments: d,
    based_on_observations: pattern.total_events,
    rationale:
      `Approval ${percent(pattern.approval_rate)} of ${pattern.decision_count} decisions and success ` +
      `${percent(pattern.success_rate)} of ${pattern.rollout_count} rollouts across ${d} deployments: ` +
      `${verdict}; ${direction === "fire_more" ? "let it fire more readily" : "make it fire less often"}.`,
  };
}

function compareRecommendations(a: Recommendation, b: Recommendation): number {
  return (
    b.confidence - a.confidence ||
    compareText(a.rule_name, b.rule_name) ||
    compareText(a.altitude, b.altitude)
  );
}

/** From the patterns at k = min_deployments_for_pattern. */
export function buildRecommendations(
  patterns: readonly Pattern[],
  config: Pick<AnalyticsConfig, "recommendation_min_observations">,
): Recommendation[] {
  const out: Recommendation[] = [];
  for (const pattern of patterns) {
    const recommendation = recommend(pattern, config.recommendation_min_observations);
    if (recommendation !== null) out.push(recommendation);
  }
  return out.sort(compareRecommendations);
}
