// Valid sample wire events for tests in any package (the `@synthorg/schema/testing` subpath, kept out
// of the main entry so production code never imports them); each test overrides the one field it is
// about. Every call returns fresh objects, so a test may mutate what it gets.
import type { DecisionEvent, RolloutEvent } from "./event.js";

/** A wire event under test: any key may be overridden, removed (undefined) or added. */
export type SampleWireEvent = Record<string, unknown>;

/** Hex SHA-256 of "deployment-1": shaped as the anonymiser makes deployment ids. */
export const SAMPLE_DEPLOYMENT_ID = "6d187e3ec9dc766201d6ab8c1f1fba573bdf7a1b3691bcac8b27da77677315ba";

function validDecision(): DecisionEvent {
  return {
    schema_version: "1",
    deployment_id: SAMPLE_DEPLOYMENT_ID,
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
  };
}

function validRollout(): RolloutEvent {
  return {
    ...validDecision(),
    event_type: "rollout_result",
    decision: null,
    confidence: null,
    rollout_outcome: "success",
    regression_verdict: "no_regression",
    observation_hours: 48.5,
  };
}

/** A valid `proposal_decision` event with every key present, then `overrides`. */
export function sampleDecisionEvent(overrides: SampleWireEvent = {}): SampleWireEvent {
  return { ...validDecision(), ...overrides };
}

/** A valid `rollout_result` event (the sample decision's deployment and day), then `overrides`. */
export function sampleRolloutEvent(overrides: SampleWireEvent = {}): SampleWireEvent {
  return { ...validRollout(), ...overrides };
}
