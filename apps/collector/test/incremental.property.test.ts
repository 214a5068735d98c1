// The incremental store against the naive reference: random event streams, random batching and a
// small ring (so eviction is constant) must give the same patterns and recommendations as the naive
// functions over exactly the events the ring retains.
import { ALTITUDES, BUILTIN_RULES, type AnonymizedEvent, type Recommendation } from "@synthorg/schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskUnknownRules } from "../src/mask.js";
import { buildPatterns } from "../src/patterns.js";
import { buildRecommendations } from "../src/recommendations.js";
import { createMemoryStore } from "../src/store/memory.js";
import {
  diffPatterns,
  diffRecommendations,
  naivePatterns,
  naiveRecommendations,
} from "../src/testing/index.js";
import { deploymentId } from "./fixtures.js";

const RULES = [...BUILTIN_RULES, "custom", "my_own_rule", "another_rule", null];
const TAGS = ["finance", "health", "retail", null];

function eventArbitrary(value: fc.Arbitrary<number>): fc.Arbitrary<AnonymizedEvent> {
  const common = fc.record({
    deployment_id: fc.integer({ min: 0, max: 7 }).map((n) => deploymentId(n)),
    timestamp: fc.constantFrom("2025-12-31", "2026-04-16"),
    altitude: fc.constantFrom(...ALTITUDES),
    source_rule: fc.constantFrom(...RULES),
    enabled_altitudes: fc.subarray([...ALTITUDES]),
    industry_tag: fc.constantFrom(...TAGS),
    sdk_version: fc.constantFrom("2.4.0", "2.5.1"),
  });
  const decision = fc.record({
    event_type: fc.constant("proposal_decision" as const),
    decision: fc.constantFrom("approved" as const, "rejected" as const),
    confidence: fc.option(
      value.map((v) => Math.min(1, v)),
      { nil: null },
    ),
    rollout_outcome: fc.constant(null),
    regression_verdict: fc.constant(null),
    observation_hours: fc.constant(null),
  });
  const rollout = fc.record({
    event_type: fc.constant("rollout_result" as const),
    decision: fc.constant(null),
    confidence: fc.constant(null),
    rollout_outcome: fc.constantFrom(
      "success" as const,
      "regressed" as const,
      "rolled_back" as const,
      "failed" as const,
      "inconclusive" as const,
    ),
    regression_verdict: fc.option(fc.constantFrom("no_regression" as const, "threshold_breach" as const), {
      nil: null,
    }),
    observation_hours: fc.option(
      value.map((v) => v * 1000),
      { nil: null },
    ),
  });
  return fc
    .tuple(common, fc.oneof(decision, rollout))
    .map(([c, specific]): AnonymizedEvent => ({ schema_version: "1", ...c, ...specific }));
}

const scenario = (value: fc.Arbitrary<number>) =>
  fc.record({
    capacity: fc.integer({ min: 1, max: 40 }),
    events: fc.array(eventArbitrary(value), { maxLength: 200, size: "max" }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 10 }),
    minDeployments: fc.integer({ min: 1, max: 5 }),
    minObservations: fc.integer({ min: 3, max: 8 }),
  });

async function incrementalAnswers(
  s: { capacity: number; events: AnonymizedEvent[]; batchSizes: number[] },
  k: number,
  config: RecConfig,
) {
  const store = createMemoryStore({ maxEvents: s.capacity, maxDeploymentsPerKey: 100 });
  let at = 0;
  for (let i = 0; at < s.events.length; i++) {
    const size = s.batchSizes[i % s.batchSizes.length] ?? 1;
    const { events } = maskUnknownRules(s.events.slice(at, at + size));
    await store.ingest({ events, writerId: "w", batchKey: null });
    at += size;
  }
  const aggregates = await store.groupAggregates();
  return {
    patterns: buildPatterns(aggregates, k),
    recommendations: buildRecommendations(
      buildPatterns(aggregates, config.min_deployments_for_pattern),
      config,
    ),
  };
}

type RecConfig = { min_deployments_for_pattern: number; recommendation_min_observations: number };
const byKey = (list: Recommendation[]) =>
  [...list].sort((a, b) => `${a.rule_name}/${a.altitude}`.localeCompare(`${b.rule_name}/${b.altitude}`));

describe("incremental store = naive reference over the retained events", () => {
  it("on dyadic values (exact sums): identical answers", async () => {
    const dyadic = fc.integer({ min: 0, max: 64 }).map((n) => n / 64);
    await fc.assert(
      fc.asyncProperty(scenario(dyadic), async (s) => {
        const config = { min_deployments_for_pattern: 2, recommendation_min_observations: s.minObservations };
        const retained = s.events.slice(-s.capacity);
        const got = await incrementalAnswers(s, s.minDeployments, config);
        expect(got.patterns).toEqual(naivePatterns(retained, { minDeployments: s.minDeployments }));
        const strip = (list: Recommendation[]) => list.map(({ rationale: _r, ...rest }) => rest);
        expect(strip(got.recommendations)).toEqual(strip(naiveRecommendations(retained, config)));
      }),
      { numRuns: 150 },
    );
  });

  it("on arbitrary doubles: counts exact, means within float tolerance", async () => {
    const anyDouble = fc.double({ min: 0, max: 1, noNaN: true });
    await fc.assert(
      fc.asyncProperty(scenario(anyDouble), async (s) => {
        const config = { min_deployments_for_pattern: 2, recommendation_min_observations: s.minObservations };
        const retained = s.events.slice(-s.capacity);
        const got = await incrementalAnswers(s, s.minDeployments, config);
        expect(
          diffPatterns(got.patterns, naivePatterns(retained, { minDeployments: s.minDeployments })),
        ).toEqual([]);
        // Ordered by key: two recommendations with equal confidence may swap when a mean rounds differently.
        expect(
          diffRecommendations(byKey(got.recommendations), byKey(naiveRecommendations(retained, config))),
        ).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
