import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AnonymizationError,
  BUILTIN_RULES,
  anonymizeDecision,
  anonymizeRollout,
  createAnonymizationContext,
  deploymentIdFromSalt,
  parseEvent,
  type ImprovementProposal,
  type ProposalOutcome,
  type RolloutResult,
} from "../src/index.js";

const SALT = "test-salt-value-long-enough";
const ctx = createAnonymizationContext({
  config: { deployment_id_salt: SALT, industry_tag: "technology" },
  altitudes: { tool_creation: true, config_tuning: true, architecture: false },
  sdkVersion: "2.4.0",
});

const proposal: ImprovementProposal = {
  id: "6f1c2a9e-5b7d-4c3e-8a1f-2d3e4f5a6b7c",
  title: "Lower the coordination threshold",
  description: "Coordination overhead exceeded 40% for three days",
  altitude: "architecture",
  sourceRule: "coordination_overhead",
  confidence: 0.72,
};

const outcome = (overrides: Partial<ProposalOutcome> = {}): ProposalOutcome => ({
  proposalId: proposal.id,
  title: proposal.title,
  decision: "approved",
  confidenceAtDecision: 0.72,
  decidedAt: new Date("2026-04-16T10:30:00Z"),
  decidedBy: "alice@acme.example",
  decisionReason: "looks right",
  altitude: "architecture",
  sourceRule: "coordination_overhead",
  ...overrides,
});

const rollout = (overrides: Partial<RolloutResult> = {}): RolloutResult => ({
  proposalId: proposal.id,
  outcome: "success",
  regressionVerdict: "no_regression",
  observationHoursElapsed: 48,
  completedAt: new Date("2026-04-18T23:59:59Z"),
  details: "p95 latency unchanged",
  ...overrides,
});

describe("anonymizeDecision", () => {
  it("writes exactly the wire keys, valid and frozen", () => {
    const event = anonymizeDecision(outcome(), ctx);
    expect(event).toEqual({
      schema_version: "1",
      deployment_id: deploymentIdFromSalt(SALT),
      event_type: "proposal_decision",
      timestamp: "2026-04-16",
      altitude: "architecture",
      source_rule: "coordination_overhead",
      decision: "approved",
      confidence: 0.72,
      rollout_outcome: null,
      regression_verdict: null,
      observation_hours: null,
      enabled_altitudes: ["config_tuning", "tool_creation"],
      industry_tag: "technology",
      sdk_version: "2.4.0",
    });
    expect(Object.isFrozen(event)).toBe(true);
    expect(parseEvent(structuredClone(event)).ok).toBe(true);
  });

  it.each([
    ["2026-04-16T23:30:00-05:00", "2026-04-17"],
    ["2026-04-17T00:30:00+02:00", "2026-04-16"],
    ["2026-04-16T23:59:59.999Z", "2026-04-16"],
    ["2026-04-17T00:00:00.000Z", "2026-04-17"],
    ["2026-01-01T05:00:00+14:00", "2025-12-31"],
    ["2025-12-31T20:00:00-11:00", "2026-01-01"],
  ])("coarsens %s to the UTC day %s", (instant, day) => {
    expect(anonymizeDecision(outcome({ decidedAt: new Date(instant) }), ctx).timestamp).toBe(day);
  });

  it("masks custom rule names as custom and keeps built-in names and null", () => {
    expect(anonymizeDecision(outcome({ sourceRule: "acme_secret_detector" }), ctx).source_rule).toBe(
      "custom",
    );
    expect(anonymizeDecision(outcome({ sourceRule: "Quality Declining" }), ctx).source_rule).toBe("custom");
    expect(anonymizeDecision(outcome({ sourceRule: null }), ctx).source_rule).toBeNull();
    for (const rule of BUILTIN_RULES) {
      expect(anonymizeDecision(outcome({ sourceRule: rule }), ctx).source_rule).toBe(rule);
    }
  });

  it("uses the caller's built-in list when given", () => {
    const narrow = createAnonymizationContext({
      config: { deployment_id_salt: SALT },
      altitudes: {},
      builtinRules: ["error_spike"],
    });
    expect(anonymizeDecision(outcome({ sourceRule: "quality_declining" }), narrow).source_rule).toBe(
      "custom",
    );
    expect(anonymizeDecision(outcome({ sourceRule: "error_spike" }), narrow).source_rule).toBe("error_spike");
    expect(anonymizeDecision(outcome(), narrow).industry_tag).toBeNull();
  });

  it("throws a typed error naming the field for input that cannot be sent", () => {
    expect(() => anonymizeDecision(outcome({ confidenceAtDecision: 1.5 }), ctx)).toThrow(AnonymizationError);
    expect(() => anonymizeDecision(outcome({ decidedAt: new Date("nope") }), ctx)).toThrow(/decidedAt/);
    try {
      anonymizeDecision(outcome({ confidenceAtDecision: Number.NaN }), ctx);
    } catch (error) {
      expect((error as AnonymizationError).issues[0]?.path).toBe("confidence");
    }
  });
});

describe("anonymizeRollout", () => {
  it("takes altitude and rule from the proposal, never from the result", () => {
    const event = anonymizeRollout(
      rollout(),
      { ...proposal, altitude: "prompt_tuning", sourceRule: "my_rule" },
      ctx,
    );
    expect(event).toMatchObject({
      event_type: "rollout_result",
      altitude: "prompt_tuning",
      source_rule: "custom",
      decision: null,
      confidence: null,
      rollout_outcome: "success",
      regression_verdict: "no_regression",
      observation_hours: 48,
      timestamp: "2026-04-18",
    });
    expect(Object.keys(event)).toHaveLength(14);
  });
});

describe("canaries: no free text or id ever survives", () => {
  // Unique markers that cannot occur in any legitimate output field by chance.
  const canary = fc
    .tuple(fc.string({ minLength: 0, maxLength: 20 }), fc.uuid())
    .map(([noise, id]) => `CANARY-${id}-${noise}`);

  it("plants canaries in every free-text and id field of decisions", () => {
    fc.assert(
      fc.property(canary, canary, canary, canary, canary, (id, title, by, reason, rule) => {
        const out = JSON.stringify(
          anonymizeDecision(
            outcome({ proposalId: id, title, decidedBy: by, decisionReason: reason, sourceRule: rule }),
            ctx,
          ),
        );
        for (const planted of [id, title, by, reason, rule, SALT]) expect(out).not.toContain(planted);
        expect(out).not.toContain("CANARY");
      }),
      { numRuns: 500 },
    );
  });

  it("plants canaries in every free-text and id field of rollouts and their proposals", () => {
    fc.assert(
      fc.property(canary, canary, canary, canary, canary, (id, details, title, description, rule) => {
        const out = JSON.stringify(
          anonymizeRollout(
            rollout({ proposalId: id, details }),
            { ...proposal, id, title, description, sourceRule: rule },
            ctx,
          ),
        );
        expect(out).not.toContain("CANARY");
        expect(out).not.toContain(SALT);
      }),
      { numRuns: 500 },
    );
  });

  it("drops fields a caller smuggles onto the domain objects", () => {
    const smuggled = {
      ...outcome(),
      orgName: "CANARY-org",
      agentId: "CANARY-agent",
      config: { threshold: 0.123456 },
    };
    const out = JSON.stringify(anonymizeDecision(smuggled, ctx));
    expect(out).not.toContain("CANARY");
    expect(out).not.toContain("0.123456");
  });
});
