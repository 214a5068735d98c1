// Fleet → real emitters → HTTP → collector: the patterns and recommendations the collector answers
// equal a naive computation over exactly the events the fleet emitted (captured with a dry-run tee).
import {
  diffPatterns,
  diffRecommendations,
  naivePatterns,
  naiveRecommendations,
} from "@synthorg/collector/testing";
import { deploymentIdFromSalt, parseAnalyticsBlock, type AnonymizedEvent } from "@synthorg/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOM_RULE_NAMES,
  createFleet,
  fleetWireEvents,
  startDemoCollector,
  type DemoCollector,
  type FleetPlan,
  type FleetResult,
} from "../src/index.js";

const DEPLOYMENTS = 6;
const EVENTS = 1200;
const SEED = 7;

/** Stable text for comparing multisets of events regardless of arrival order. */
const sortedLines = (events: readonly AnonymizedEvent[]) =>
  events.map((event) => JSON.stringify(event)).sort();

describe("fleet → collector over HTTP", () => {
  let demo: DemoCollector;
  let plan: FleetPlan;
  let result: FleetResult;
  const emitted: AnonymizedEvent[] = [];

  beforeAll(async () => {
    demo = await startDemoCollector({ writers: DEPLOYMENTS });
    const fleet = createFleet({
      deployments: DEPLOYMENTS,
      events: EVENTS,
      seed: SEED,
      collectorUrl: demo.collector.baseUrl,
      writeKeys: demo.writeKeys,
      tee: (event) => emitted.push(event),
    });
    plan = fleet.plan;
    result = await fleet.run();
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
  });

  it("delivers every planned event and drops none", async () => {
    expect(result).toMatchObject({ emitted: EVENTS, sent: EVENTS, dropped: 0, pending: 0 });
    expect(emitted).toHaveLength(EVENTS);
    const stats = await demo.reader.stats.summary.query();
    expect(stats.store).toMatchObject({ size: EVENTS, ingested_total: EVENTS, deployments: DEPLOYMENTS });
  });

  it("answers patterns equal to a naive computation over the emitted events", async () => {
    const answer = await demo.reader.patterns.list.query();
    expect(answer.patterns.length).toBeGreaterThan(0);
    expect(
      diffPatterns(answer.patterns, naivePatterns(emitted, { minDeployments: answer.min_deployments })),
    ).toEqual([]);
    // A stricter k from the caller is honoured the same way.
    const strict = await demo.reader.patterns.list.query({ minDeployments: DEPLOYMENTS });
    expect(strict.min_deployments).toBe(DEPLOYMENTS);
    expect(diffPatterns(strict.patterns, naivePatterns(emitted, { minDeployments: DEPLOYMENTS }))).toEqual(
      [],
    );
  });

  it("answers recommendations equal to the naive ones, in both directions", async () => {
    const { recommendations } = await demo.reader.recommendations.list.query();
    const config = parseAnalyticsBlock({});
    expect(diffRecommendations(recommendations, naiveRecommendations(emitted, config))).toEqual([]);
    const directions = new Set(recommendations.map((rec) => rec.direction));
    expect(directions).toEqual(new Set(["fire_more", "fire_less"]));
  });

  it("emits exactly what the HTTP-free generator replays", () => {
    expect(sortedLines(emitted)).toEqual(sortedLines(fleetWireEvents(plan)));
  });

  it("never lets a custom rule name, a salt or free text reach the collector", async () => {
    const ids = new Set(plan.deployments.map((deployment) => deploymentIdFromSalt(deployment.salt)));
    expect(new Set(emitted.map((event) => event.deployment_id))).toEqual(ids);
    const answers = JSON.stringify([
      await demo.reader.patterns.list.query(),
      await demo.reader.recommendations.list.query(),
    ]);
    const wire = JSON.stringify(emitted);
    expect(emitted.some((event) => event.source_rule === "custom")).toBe(true);
    for (const secret of [
      ...CUSTOM_RULE_NAMES,
      ...plan.deployments.map((d) => d.salt),
      "deployment-0",
      "@",
    ]) {
      expect(wire).not.toContain(secret);
      expect(answers).not.toContain(secret);
    }
  });
});
