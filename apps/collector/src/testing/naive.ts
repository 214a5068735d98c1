// The obviously-correct reference: DESIGN.md's patterns and recommendations computed straight from an
// array of events with Sets and plain loops. Slow on purpose (it rescans everything); tests compare
// the incremental stores and the HTTP answers against it.
import {
  CUSTOM_RULE,
  RULE_THRESHOLDS,
  isBuiltinRule,
  type AnalyticsConfig,
  type AnonymizedEvent,
  type Pattern,
  type Recommendation,
} from "@synthorg/schema";

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
const mean = (values: number[]): number | null =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Unknown rule names count as "custom", as the collector stores them. */
function ruleOf(event: AnonymizedEvent): string | null {
  const rule = event.source_rule;
  if (rule === null || rule === CUSTOM_RULE || isBuiltinRule(rule)) return rule;
  return CUSTOM_RULE;
}

export function naivePatterns(
  events: readonly AnonymizedEvent[],
  options: { minDeployments: number },
): Pattern[] {
  const k = options.minDeployments;
  const groups = new Map<string, AnonymizedEvent[]>();
  for (const event of events) {
    const rule = ruleOf(event);
    if (rule === null) continue;
    const key = JSON.stringify([rule, event.altitude]);
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  const patterns: Pattern[] = [];
  for (const [key, group] of groups) {
    const [rule, altitude] = JSON.parse(key) as [string, AnonymizedEvent["altitude"]];
    const deployments = new Set(group.map((event) => event.deployment_id));
    if (deployments.size < k) continue;
    const decisions = group.filter((event) => event.event_type === "proposal_decision");
    const rollouts = group.filter((event) => event.event_type === "rollout_result");
    const approved = decisions.filter((event) => event.decision === "approved").length;
    const succeeded = rollouts.filter((event) => event.rollout_outcome === "success").length;
    const confidences = decisions.flatMap((event) => (event.confidence === null ? [] : [event.confidence]));
    const hours = rollouts.flatMap((event) =>
      event.observation_hours === null ? [] : [event.observation_hours],
    );
    const tags = new Set(group.flatMap((event) => (event.industry_tag === null ? [] : [event.industry_tag])));
    const breakdown: [string, number][] = [];
    for (const tag of tags) {
      const tagged = group.filter((event) => event.industry_tag === tag);
      if (new Set(tagged.map((event) => event.deployment_id)).size >= k) breakdown.push([tag, tagged.length]);
    }
    breakdown.sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
    patterns.push({
      source_rule: rule,
      altitude,
      deployment_count: deployments.size,
      total_events: group.length,
      decision_count: decisions.length,
      rollout_count: rollouts.length,
      approval_rate: decisions.length === 0 ? 0 : approved / decisions.length,
      success_rate: rollouts.length === 0 ? 0 : succeeded / rollouts.length,
      avg_confidence: mean(confidences) ?? 0,
      avg_observation_hours: mean(hours),
      industry_breakdown: breakdown,
    });
  }
  return patterns.sort(
    (a, b) =>
      b.deployment_count - a.deployment_count ||
      b.total_events - a.total_events ||
      byText(a.source_rule, b.source_rule) ||
      byText(a.altitude, b.altitude),
  );
}

export function naiveRecommendations(
  events: readonly AnonymizedEvent[],
  config: Pick<AnalyticsConfig, "min_deployments_for_pattern" | "recommendation_min_observations">,
): Recommendation[] {
  const out: Recommendation[] = [];
  for (const p of naivePatterns(events, { minDeployments: config.min_deployments_for_pattern })) {
    const threshold = isBuiltinRule(p.source_rule) ? RULE_THRESHOLDS[p.source_rule] : undefined;
    if (threshold === undefined || p.total_events < config.recommendation_min_observations) continue;
    const c = p.avg_confidence;
    const d = p.deployment_count;
    let direction: "fire_more" | "fire_less";
    let adjustment: number;
    let confidence: number;
    if (p.approval_rate >= 0.7 && p.success_rate >= 0.7) {
      direction = "fire_more";
      adjustment = 0.1 + 0.1 * c;
      confidence = Math.min(c, d / 10, 1);
    } else if (p.decision_count >= 1 && p.approval_rate <= 0.3) {
      direction = "fire_less";
      adjustment = 0.1 + 0.1 * (1 - c);
      confidence = Math.min(0.5 + d / 20, 1);
    } else {
      continue;
    }
    const D = threshold.defaultValue;
    let value: number;
    if (direction === "fire_more")
      value = threshold.firesWhen === "below" ? D * (1 + adjustment) : D * (1 - adjustment);
    else value = threshold.firesWhen === "below" ? D * (1 - adjustment) : D * (1 + adjustment);
    out.push({
      rule_name: p.source_rule,
      altitude: p.altitude,
      metric_name: threshold.metricName,
      current_default: D,
      recommended_value: round4(value),
      direction,
      confidence: round4(confidence),
      based_on_deployments: d,
      based_on_observations: p.total_events,
      // The rationale is prose for people; comparisons ignore it.
      rationale: "",
    });
  }
  return out.sort(
    (a, b) =>
      b.confidence - a.confidence || byText(a.rule_name, b.rule_name) || byText(a.altitude, b.altitude),
  );
}
