// What the simulated fleet is made of: fleet-wide rule tendencies (so the collector has real
// patterns to find), industry tags, altitude habits, and the custom rules that must only ever be
// seen as "custom". Every number here shapes the demo's tables; each is named for what it steers.
import type { Altitude } from "@synthorg/schema";

export interface RuleProfile {
  /** The rule name inside the deployment: built-in, or the operator's own (masked to "custom"). */
  readonly rule: string;
  /** Altitudes this rule proposes changes at (only the deployment's enabled ones are used). */
  readonly altitudes: readonly Altitude[];
  /** Fleet-wide probability that a proposal from this rule is approved. */
  readonly approval: number;
  /** Fleet-wide probability that a rolled-out proposal from this rule succeeds. */
  readonly success: number;
  /** Typical proposal confidence. */
  readonly confidence: number;
  /** How often the rule fires relative to the others in a deployment. */
  readonly weight: number;
  /** Probability that a deployment runs this rule at all. */
  readonly adoption: number;
  /** At most this many deployments run it: a rule below the k-deployment threshold stays hidden. */
  readonly maxAdopters?: number;
}

/** What the demo is meant to show for a rule; the tables should agree. */
export type RuleIntent = "fire_more" | "fire_less" | "mixed" | "no_threshold" | "rare" | "custom";

const rule = (intent: RuleIntent, profile: RuleProfile) => ({ intent, ...profile });

/**
 * Built-in rules: three that operators keep approving and that keep succeeding (the recommender
 * should say "fire more"), three that are mostly rejected ("fire less"), two mixed ones (no
 * recommendation), one without a tunable threshold, and one too rare to reach k deployments.
 */
export const BUILTIN_RULE_PROFILES = Object.freeze([
  rule("fire_more", {
    rule: "quality_declining",
    altitudes: ["prompt_tuning", "config_tuning"],
    approval: 0.86,
    success: 0.88,
    confidence: 0.78,
    weight: 5,
    adoption: 0.95,
  }),
  rule("fire_more", {
    rule: "coordination_overhead",
    altitudes: ["architecture", "config_tuning"],
    approval: 0.82,
    success: 0.84,
    confidence: 0.7,
    weight: 4,
    adoption: 0.85,
  }),
  rule("fire_more", {
    rule: "error_spike",
    altitudes: ["config_tuning", "code_modification"],
    approval: 0.84,
    success: 0.86,
    confidence: 0.82,
    weight: 3,
    adoption: 0.85,
  }),
  rule("fire_less", {
    rule: "redundancy",
    altitudes: ["architecture", "config_tuning"],
    approval: 0.14,
    success: 0.55,
    confidence: 0.42,
    weight: 3,
    adoption: 0.8,
  }),
  rule("fire_less", {
    rule: "straggler_bottleneck",
    altitudes: ["config_tuning"],
    approval: 0.18,
    success: 0.5,
    confidence: 0.5,
    weight: 3,
    adoption: 0.8,
  }),
  rule("fire_less", {
    rule: "budget_overrun",
    altitudes: ["config_tuning"],
    approval: 0.2,
    success: 0.6,
    confidence: 0.35,
    weight: 2,
    adoption: 0.75,
  }),
  rule("mixed", {
    rule: "success_rate_drop",
    altitudes: ["prompt_tuning", "config_tuning"],
    approval: 0.52,
    success: 0.6,
    confidence: 0.6,
    weight: 3,
    adoption: 0.8,
  }),
  rule("mixed", {
    rule: "scaling_failure",
    altitudes: ["architecture", "tool_creation"],
    approval: 0.5,
    success: 0.45,
    confidence: 0.55,
    weight: 2,
    adoption: 0.7,
  }),
  rule("no_threshold", {
    rule: "benchmark_regression",
    altitudes: ["code_modification", "config_tuning"],
    approval: 0.8,
    success: 0.78,
    confidence: 0.74,
    weight: 2,
    adoption: 0.7,
  }),
  rule("rare", {
    rule: "coordination_cost_ratio",
    altitudes: ["architecture", "config_tuning"],
    approval: 0.9,
    success: 0.9,
    confidence: 0.8,
    weight: 2,
    adoption: 1,
    maxAdopters: 2,
  }),
] as const satisfies readonly (RuleProfile & { intent: RuleIntent })[]);

/**
 * Operators' own rules. Their names carry deployment-specific logic, so the anonymiser must turn
 * every one into "custom"; the demo checks that none of these strings reaches the collector.
 */
export const CUSTOM_RULE_NAMES = Object.freeze([
  "acme_invoice_latency_guard",
  "night_batch_watchdog",
  "eu_residency_drift_check",
  "sales_pipeline_stall",
] as const);

export const CUSTOM_RULE_BEHAVIOUR = Object.freeze({
  altitudes: ["config_tuning", "prompt_tuning"],
  approval: 0.62,
  success: 0.7,
  confidence: 0.6,
  weight: 2,
} as const satisfies Omit<RuleProfile, "rule" | "adoption">);

/** Share of deployments that run one custom rule of their own. */
export const CUSTOM_RULE_ADOPTION = 0.75;

/**
 * Industry tags and their share of the fleet (apportioned exactly, then shuffled). The three common
 * tags are shared by enough deployments to pass the k-anonymity threshold and show in the
 * breakdown; the rare tag and the opt-outs (null) are kept out of it by the collector.
 */
export const INDUSTRY_TAG_SHARES: readonly (readonly [string | null, number])[] = Object.freeze([
  ["technology", 0.32],
  ["finance", 0.26],
  ["healthcare", 0.26],
  ["logistics", 0.08],
  [null, 0.08],
]);

/** Probability that a deployment enables each altitude; config_tuning is always on. */
export const ALTITUDE_ADOPTION: Readonly<Record<Altitude, number>> = Object.freeze({
  config_tuning: 1,
  architecture: 0.7,
  prompt_tuning: 0.8,
  code_modification: 0.45,
  tool_creation: 0.3,
});

/** How far a deployment's own habits stray from the fleet-wide rates (± this much). */
export const PER_DEPLOYMENT_JITTER = 0.06;

/** Share of approved proposals that are rolled out and observed (the rest are still pending). */
export const ROLLOUT_RATE = 0.9;

/** Share of proposals raised by hand rather than by a rule (source_rule null: not in patterns). */
export const MANUAL_PROPOSAL_RATE = 0.03;

/** Share of decisions recorded without a confidence score. */
export const MISSING_CONFIDENCE_RATE = 0.04;

/** Relative event volume of deployments: the busiest sees up to this many times the quietest. */
export const DEPLOYMENT_SIZE_SPREAD = [0.6, 1.4] as const;

/** Decisions fall in this window before the reference day; rollouts land within a week after. */
export const HISTORY_DAYS = 90;
export const LATEST_DECISION_DAYS_AGO = 8;
export const OBSERVATION_HOURS_RANGE = [24, 168] as const;
