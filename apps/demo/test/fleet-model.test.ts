// The fleet model without HTTP: a pure function of its seed, with the shape the demo promises.
import {
  CUSTOM_RULE,
  MIN_SALT_LENGTH,
  isBuiltinRule,
  isWireDay,
  parseEventBatch,
  type AnonymizedEvent,
} from "@synthorg/schema";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_RULE_PROFILES,
  CUSTOM_RULE_NAMES,
  FleetOptionError,
  createRandom,
  deploymentActions,
  deriveSeed,
  fleetWireEvents,
  planFleet,
} from "../src/index.js";

const REFERENCE = new Date("2026-06-15T13:45:00Z");

describe("seeded PRNG", () => {
  it("repeats for a seed and differs across seeds and labels", () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(deriveSeed(42, "deployment", 1)).not.toBe(deriveSeed(42, "deployment", 2));
    for (const value of draw(3)) expect(value).toSatisfy((v: number) => v >= 0 && v < 1);
  });
});

describe("planFleet", () => {
  it("is a pure function of its options", () => {
    const options = { deployments: 8, events: 900, seed: 5, referenceDate: REFERENCE };
    expect(planFleet(options)).toEqual(planFleet(options));
    expect(fleetWireEvents(planFleet(options))).toEqual(fleetWireEvents(planFleet(options)));
    expect(planFleet({ ...options, seed: 6 }).deployments).not.toEqual(planFleet(options).deployments);
  });

  it("gives every deployment its own long salt, and splits the events exactly", () => {
    const plan = planFleet({ deployments: 12, events: 5000, seed: 42, referenceDate: REFERENCE });
    const salts = plan.deployments.map((d) => d.salt);
    expect(new Set(salts).size).toBe(12);
    for (const salt of salts) expect(salt.length).toBeGreaterThanOrEqual(MIN_SALT_LENGTH);
    expect(plan.deployments.reduce((sum, d) => sum + d.eventCount, 0)).toBe(5000);
    for (const deployment of plan.deployments) {
      expect([...deploymentActions(plan, deployment)]).toHaveLength(deployment.eventCount);
    }
  });

  it("shares industry tags between deployments so some pass the k-anonymity threshold", () => {
    const plan = planFleet({ deployments: 12, seed: 42, referenceDate: REFERENCE });
    const counts = new Map<string | null, number>();
    for (const d of plan.deployments) counts.set(d.industryTag, (counts.get(d.industryTag) ?? 0) + 1);
    const shared = [...counts].filter(([tag, n]) => tag !== null && n >= 3);
    expect(shared.length).toBeGreaterThanOrEqual(3);
  });

  it("rejects impossible options, naming the option", () => {
    expect(() => planFleet({ deployments: 0 })).toThrow(FleetOptionError);
    expect(() => planFleet({ deployments: 0 })).toThrow(/^deployments /);
    expect(() => planFleet({ events: -1 })).toThrow(/^events /);
    expect(() => planFleet({ seed: 1.5 })).toThrow(/^seed /);
  });
});

describe("generated events", () => {
  const plan = planFleet({ deployments: 12, events: 5000, seed: 42, referenceDate: REFERENCE });
  const events: AnonymizedEvent[] = fleetWireEvents(plan);

  it("are valid wire events dated within the 90 days before the reference day", () => {
    expect(parseEventBatch({ events: events.slice(0, 1000) }).ok).toBe(true);
    const days = events.map((event) => event.timestamp).sort();
    expect(days[0]! >= "2026-03-17").toBe(true);
    expect(days.at(-1)! <= "2026-06-15").toBe(true);
    for (const day of [days[0]!, days.at(-1)!]) expect(isWireDay(day, REFERENCE.getTime())).toBe(true);
  });

  it("carry built-in rules and custom rules masked as custom, never a custom name", () => {
    const rules = new Set(events.map((event) => event.source_rule));
    expect(rules).toContain(CUSTOM_RULE);
    expect(rules).toContain(null);
    for (const rule of rules)
      if (rule !== null && rule !== CUSTOM_RULE) expect(isBuiltinRule(rule)).toBe(true);
    const text = JSON.stringify(events);
    for (const name of CUSTOM_RULE_NAMES) expect(text).not.toContain(name);
  });

  it("make the intended rules mostly approved, and the others mostly rejected", () => {
    const approval = (rule: string) => {
      const decisions = events.filter((e) => e.source_rule === rule && e.event_type === "proposal_decision");
      return decisions.filter((e) => e.decision === "approved").length / decisions.length;
    };
    for (const profile of BUILTIN_RULE_PROFILES) {
      if (profile.intent === "fire_more") expect(approval(profile.rule)).toBeGreaterThan(0.7);
      if (profile.intent === "fire_less") expect(approval(profile.rule)).toBeLessThan(0.3);
    }
  });

  it("keep rare rules below the k-deployment threshold", () => {
    for (const profile of BUILTIN_RULE_PROFILES.filter((p) => p.intent === "rare")) {
      const ids = new Set(events.filter((e) => e.source_rule === profile.rule).map((e) => e.deployment_id));
      expect(ids.size).toBeLessThanOrEqual(2);
    }
  });
});
