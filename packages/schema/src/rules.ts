// The built-in improvement rules and the thresholds the recommender may tune. A rule that is not in
// BUILTIN_RULES is the operator's own and is reported only as CUSTOM_RULE.

export const CUSTOM_RULE = "custom";

export const BUILTIN_RULES = Object.freeze([
  "quality_declining",
  "success_rate_drop",
  "budget_overrun",
  "coordination_cost_ratio",
  "coordination_overhead",
  "straggler_bottleneck",
  "redundancy",
  "scaling_failure",
  "error_spike",
  "benchmark_regression",
] as const);
export type BuiltinRule = (typeof BUILTIN_RULES)[number];

/** Which side of the threshold makes the rule fire. */
export type FiresWhen = "below" | "above";

export interface RuleThreshold {
  readonly rule: BuiltinRule;
  readonly metricName: string;
  readonly defaultValue: number;
  /** `below` also covers "below or equal" (budget_overrun): the tuning direction is the same. */
  readonly firesWhen: FiresWhen;
}

const threshold = (
  rule: BuiltinRule,
  metricName: string,
  defaultValue: number,
  firesWhen: FiresWhen,
): RuleThreshold => Object.freeze({ rule, metricName, defaultValue, firesWhen });

/** Rules with a tunable threshold. benchmark_regression and custom rules have none. */
export const RULE_THRESHOLDS: Readonly<Partial<Record<BuiltinRule, RuleThreshold>>> = Object.freeze({
  quality_declining: threshold("quality_declining", "quality_drop_threshold", 5.0, "below"),
  success_rate_drop: threshold("success_rate_drop", "success_rate_threshold", 0.7, "below"),
  budget_overrun: threshold("budget_overrun", "days_until_exhausted_threshold", 14.0, "below"),
  coordination_cost_ratio: threshold("coordination_cost_ratio", "coordination_ratio_threshold", 0.4, "above"),
  coordination_overhead: threshold("coordination_overhead", "overhead_pct_threshold", 35.0, "above"),
  straggler_bottleneck: threshold("straggler_bottleneck", "straggler_gap_ratio_threshold", 2.0, "above"),
  redundancy: threshold("redundancy", "redundancy_rate_threshold", 0.3, "above"),
  scaling_failure: threshold("scaling_failure", "scaling_failure_rate_threshold", 0.5, "above"),
  error_spike: threshold("error_spike", "error_findings_threshold", 10.0, "above"),
});

const BUILTIN_RULE_SET: ReadonlySet<string> = new Set(BUILTIN_RULES);

export function isBuiltinRule(name: string): name is BuiltinRule {
  return BUILTIN_RULE_SET.has(name);
}

/** A built-in name passes, null stays null, anything else is masked as `custom`. */
export function classifyRule(
  name: string | null,
  builtinRules: ReadonlySet<string> = BUILTIN_RULE_SET,
): string | null {
  if (name === null) return null;
  return builtinRules.has(name) ? name : CUSTOM_RULE;
}
