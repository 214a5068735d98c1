// Patterns and recommendations as pure functions, checked against hand-computed values from DESIGN.md.
import { RULE_THRESHOLDS, patternSchema, recommendationSchema, type Pattern } from "@synthorg/schema";
import { describe, expect, it } from "vitest";
import { buildPatterns, effectiveMinDeployments } from "../src/patterns.js";
import {
  adjustedThreshold,
  buildRecommendations,
  recommend,
  roundRecommendation,
} from "../src/recommendations.js";
import type { GroupAggregate } from "../src/store/types.js";

function group(overrides: Partial<GroupAggregate>): GroupAggregate {
  return {
    source_rule: "quality_declining",
    altitude: "config_tuning",
    total_events: 20,
    decision_count: 10,
    approved_count: 8,
    confidence_sum: 7,
    confidence_count: 10,
    rollout_count: 10,
    success_count: 9,
    observation_hours_sum: 480,
    observation_hours_count: 8,
    deployment_count: 4,
    industries: [],
    ...overrides,
  };
}

function pattern(overrides: Partial<Pattern>): Pattern {
  return {
    source_rule: "quality_declining",
    altitude: "config_tuning",
    deployment_count: 4,
    total_events: 20,
    decision_count: 10,
    rollout_count: 10,
    approval_rate: 0.8,
    success_rate: 0.9,
    avg_confidence: 0.7,
    avg_observation_hours: 60,
    industry_breakdown: [],
    ...overrides,
  };
}

describe("patterns", () => {
  it("computes the rates and means of a group", () => {
    const [p] = buildPatterns([group({})], 3);
    expect(p).toEqual(pattern({}));
    expect(() => patternSchema.parse(p)).not.toThrow();
  });

  it("uses 0 for rates and confidence without data, and null hours", () => {
    const [p] = buildPatterns(
      [
        group({
          decision_count: 0,
          approved_count: 0,
          confidence_sum: 0,
          confidence_count: 0,
          rollout_count: 0,
          success_count: 0,
          observation_hours_sum: 0,
          observation_hours_count: 0,
          total_events: 0,
        }),
      ],
      1,
    );
    expect(p).toMatchObject({
      approval_rate: 0,
      success_rate: 0,
      avg_confidence: 0,
      avg_observation_hours: null,
    });
  });

  it("keeps groups seen in at least k deployments", () => {
    const groups = [group({ deployment_count: 2 }), group({ altitude: "architecture", deployment_count: 3 })];
    expect(buildPatterns(groups, 3).map((p) => p.altitude)).toEqual(["architecture"]);
    expect(buildPatterns(groups, 2)).toHaveLength(2);
  });

  it("lists only industry tags seen in at least k deployments, by count then tag", () => {
    const industries = [
      { tag: "rare", events: 50, deployments: 2 },
      { tag: "retail", events: 5, deployments: 3 },
      { tag: "finance", events: 9, deployments: 3 },
      { tag: "energy", events: 9, deployments: 4 },
    ];
    const [p] = buildPatterns([group({ industries })], 3);
    expect(p?.industry_breakdown).toEqual([
      ["energy", 9],
      ["finance", 9],
      ["retail", 5],
    ]);
  });

  it("sorts by deployments desc, events desc, then source_rule and altitude", () => {
    const groups = [
      group({ source_rule: "redundancy", deployment_count: 3, total_events: 5 }),
      group({ source_rule: "error_spike", deployment_count: 3, total_events: 5, altitude: "prompt_tuning" }),
      group({ source_rule: "error_spike", deployment_count: 3, total_events: 5, altitude: "architecture" }),
      group({ source_rule: "budget_overrun", deployment_count: 3, total_events: 9 }),
      group({ source_rule: "scaling_failure", deployment_count: 7, total_events: 1 }),
    ];
    expect(buildPatterns(groups, 3).map((p) => `${p.source_rule}/${p.altitude}`)).toEqual([
      "scaling_failure/config_tuning",
      "budget_overrun/config_tuning",
      "error_spike/architecture",
      "error_spike/prompt_tuning",
      "redundancy/config_tuning",
    ]);
  });

  it("never lets a query lower k below the configured minimum", () => {
    expect(effectiveMinDeployments(undefined, 3)).toBe(3);
    expect(effectiveMinDeployments(1, 3)).toBe(3);
    expect(effectiveMinDeployments(8, 3)).toBe(8);
  });

  it("keeps a drifted mean inside its range", () => {
    const [p] = buildPatterns([group({ confidence_sum: 10.000000000000002, confidence_count: 10 })], 1);
    expect(p?.avg_confidence).toBe(1);
  });
});

describe("recommendations", () => {
  const config = { recommendation_min_observations: 10 };

  it("tells a rule that fires below its threshold to fire more by raising it", () => {
    // quality_declining fires below 5.0; c = 0.7 → adj = 0.1 + 0.07 = 0.17 → 5.85; confidence min(0.7, 0.4, 1).
    const rec = recommend(pattern({}), 10);
    expect(rec).toMatchObject({
      rule_name: "quality_declining",
      metric_name: "quality_drop_threshold",
      current_default: 5,
      recommended_value: 5.85,
      direction: "fire_more",
      confidence: 0.4,
      based_on_deployments: 4,
      based_on_observations: 20,
    });
    expect(() => recommendationSchema.parse(rec)).not.toThrow();
  });

  it("tells a rule that fires above its threshold to fire more by lowering it", () => {
    // coordination_overhead fires above 35; adj 0.17 → 35 · 0.83 = 29.05.
    expect(recommend(pattern({ source_rule: "coordination_overhead" }), 10)).toMatchObject({
      recommended_value: 29.05,
      direction: "fire_more",
    });
  });

  it("tells a too-aggressive rule to fire less, in the direction its side demands", () => {
    const rejected = { approval_rate: 0.2, avg_confidence: 0.4, deployment_count: 6 };
    // adj = 0.1 + 0.1 · 0.6 = 0.16; confidence = min(0.5 + 6/20, 1) = 0.8.
    expect(recommend(pattern({ ...rejected, source_rule: "success_rate_drop" }), 10)).toMatchObject({
      recommended_value: 0.588, // 0.7 · 0.84 (fires below: lower it)
      direction: "fire_less",
      confidence: 0.8,
    });
    expect(recommend(pattern({ ...rejected, source_rule: "error_spike" }), 10)).toMatchObject({
      recommended_value: 11.6, // 10 · 1.16 (fires above: raise it)
      direction: "fire_less",
    });
  });

  it("moves every tunable rule the right way for its side", () => {
    for (const threshold of Object.values(RULE_THRESHOLDS)) {
      const more = adjustedThreshold(threshold, "fire_more", 0.15);
      const less = adjustedThreshold(threshold, "fire_less", 0.15);
      if (threshold.firesWhen === "below")
        expect([more > threshold.defaultValue, less < threshold.defaultValue]).toEqual([true, true]);
      else expect([more < threshold.defaultValue, less > threshold.defaultValue]).toEqual([true, true]);
    }
    expect(RULE_THRESHOLDS.budget_overrun?.firesWhen).toBe("below");
  });

  it("caps confidence at 1 and rounds to 4 decimals", () => {
    expect(recommend(pattern({ approval_rate: 0.1, deployment_count: 40 }), 10)?.confidence).toBe(1);
    expect(recommend(pattern({ avg_confidence: 0.123456, deployment_count: 20 }), 10)).toMatchObject({
      confidence: 0.1235,
      recommended_value: roundRecommendation(5 * (1 + 0.1 + 0.0123456)),
    });
    expect(roundRecommendation(0.1 + 0.2)).toBe(0.3);
  });

  it("gives nothing for rules without a threshold, too few observations, or middling rates", () => {
    expect(recommend(pattern({ source_rule: "benchmark_regression" }), 10)).toBeNull();
    expect(recommend(pattern({ source_rule: "custom" }), 10)).toBeNull();
    expect(recommend(pattern({ total_events: 9 }), 10)).toBeNull();
    expect(recommend(pattern({ approval_rate: 0.5 }), 10)).toBeNull();
    expect(recommend(pattern({ success_rate: 0.69 }), 10)).toBeNull();
    // Low approval needs at least one decision to mean anything.
    expect(recommend(pattern({ approval_rate: 0, decision_count: 0, success_rate: 0 }), 10)).toBeNull();
  });

  it("treats the boundaries 0.7 and 0.3 as inclusive", () => {
    expect(recommend(pattern({ approval_rate: 7 / 10, success_rate: 7 / 10 }), 10)?.direction).toBe(
      "fire_more",
    );
    expect(recommend(pattern({ approval_rate: 3 / 10 }), 10)?.direction).toBe("fire_less");
  });

  it("sorts by confidence desc, then rule name and altitude", () => {
    const recs = buildRecommendations(
      [
        pattern({ source_rule: "redundancy", deployment_count: 3 }),
        pattern({ source_rule: "error_spike", deployment_count: 3, altitude: "prompt_tuning" }),
        pattern({ source_rule: "error_spike", deployment_count: 3, altitude: "architecture" }),
        pattern({ source_rule: "scaling_failure", deployment_count: 9 }),
      ],
      config,
    );
    expect(recs.map((r) => `${r.rule_name}/${r.altitude}:${r.confidence}`)).toEqual([
      "scaling_failure/config_tuning:0.7",
      "error_spike/architecture:0.3",
      "error_spike/prompt_tuning:0.3",
      "redundancy/config_tuning:0.3",
    ]);
  });
});
