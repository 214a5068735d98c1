// Valid wire events and domain objects for the tests; each test changes one thing.
import type { DecisionEvent } from "../src/index.js";

export const DEPLOYMENT_ID = "1d69683e08a545517203f3eac4e8d08af6e230ea4e7a8dd940ec207b225c67d6";

export function decisionEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: "1",
    deployment_id: DEPLOYMENT_ID,
    event_type: "proposal_decision",
    timestamp: "2026-04-16",
    altitude: "config_tuning",
    source_rule: "quality_declining",
    decision: "approved",
    confidence: 0.8,
    rollout_outcome: null,
    regression_verdict: null,
    observation_hours: null,
    enabled_altitudes: ["config_tuning", "architecture"],
    industry_tag: "technology",
    sdk_version: "2.4.0",
    ...overrides,
  } satisfies Record<keyof DecisionEvent, unknown>;
}

export function rolloutEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...decisionEvent(),
    event_type: "rollout_result",
    decision: null,
    confidence: null,
    rollout_outcome: "success",
    regression_verdict: "no_regression",
    observation_hours: 48.5,
    ...overrides,
  };
}
