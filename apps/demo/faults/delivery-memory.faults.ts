// Exactly-once delivery through every fault the proxy knows: a fleet of real emitters sends a known
// set of events over tRPC through the proxy to a real collector (memory store) on 127.0.0.1, and the
// collector ends up holding exactly that set — compared event by event, per deployment and per pattern.
// A control run without idempotency keys shows the same comparison catching the duplicates.
import { startCollector, type MemoryStore } from "@synthorg/collector";
import { IDEMPOTENCY_KEY_HEADER } from "@synthorg/emitter";
import type { AnonymizedEvent } from "@synthorg/schema";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { fleetWireEvents } from "../src/actions.js";
import { planFleet } from "../src/plan.js";
import { diffEvents, perDeployment } from "./exactly.js";
import {
  FAULT_LABELS,
  seededSchedule,
  startFaultProxy,
  summarizeExchanges,
  type FaultProxyOptions,
  type FaultSchedule,
} from "./proxy.js";
import {
  FAULT_CLOSE_TIMEOUT_MS,
  FAULT_EMITTER_CONFIG,
  collectorConfig,
  checkAnswers,
  faultFleet,
  fleetKeys,
  mixedFaults,
  recordFigures,
} from "./scenario.js";

interface RunSpec {
  readonly deployments: number;
  readonly events: number;
  readonly seed: number;
  readonly schedule: FaultSchedule;
  readonly dropRequestHeaders?: FaultProxyOptions["dropRequestHeaders"];
}

/** A fresh collector and proxy, one fleet run through them, and everything needed to judge it. */
async function runThroughProxy(spec: RunSpec) {
  const keys = fleetKeys(spec.deployments);
  const collector = await startCollector({
    config: collectorConfig({ api_keys: [...keys.entries] }),
    port: 0,
    logger: pino({ level: "silent" }),
    defaultMetrics: false,
  });
  const proxy = await startFaultProxy({
    upstream: collector.url,
    schedule: spec.schedule,
    ...(spec.dropRequestHeaders === undefined ? {} : { dropRequestHeaders: spec.dropRequestHeaders }),
  });
  try {
    const plan = planFleet({ deployments: spec.deployments, events: spec.events, seed: spec.seed });
    const sent: AnonymizedEvent[] = [];
    const result = await faultFleet({ plan, origin: proxy.url, keys, sent }).run({
      closeTimeoutMs: FAULT_CLOSE_TIMEOUT_MS,
    });
    const expected = fleetWireEvents(plan);
    return {
      result,
      sent,
      expected,
      held: (collector.store as MemoryStore).events(),
      stats: await collector.store.stats(),
      answers: await checkAnswers(collector.url, keys.read, expected),
      summary: summarizeExchanges(proxy.records()),
    };
  } finally {
    await proxy.close();
    await collector.close();
  }
}

describe("a fleet through the fault proxy, memory store", () => {
  it("delivers every event exactly once: 0 lost, 0 duplicated", async () => {
    const events = 2_400;
    const run = await runThroughProxy({ deployments: 12, events, seed: 8, schedule: mixedFaults(8) });
    const { result, sent, expected, held, answers, summary } = run;

    // Every emitter finished with nothing dropped and nothing left behind.
    expect(result).toMatchObject({ emitted: events, sent: events, dropped: 0, pending: 0 });
    // The known set: what the anonymiser makes of the plan, and what the emitters actually sent.
    expect(diffEvents(expected, sent)).toEqual({ lost: 0, duplicated: 0, unexpected: 0 });

    expect(diffEvents(expected, held)).toEqual({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(perDeployment(held)).toEqual(perDeployment(expected));
    expect(run.stats).toMatchObject({ size: events, ingested_total: events, evicted_total: 0 });
    // Per pattern (and recommendation): the incremental store against a from-scratch count.
    expect(answers.differences).toEqual([]);
    expect(answers.patterns).toBeGreaterThan(0);
    expect(answers.recommendations).toBeGreaterThan(0);

    // The faults really happened, the ambiguous ones included, and each repeat that reached the
    // collector after it had stored the batch was answered as a duplicate.
    for (const label of FAULT_LABELS) expect(summary.faults[label], label).toBeGreaterThan(0);
    expect(summary.ambiguous).toBeGreaterThan(0);
    expect(summary.duplicatesRefused).toBeGreaterThan(0);
    expect(summary.duplicatesRefused).toBe(summary.repeatsReachingCollector);

    recordFigures("delivery-memory", {
      deployments: 12,
      events_sent: events,
      events_held: held.length,
      lost: 0,
      duplicated: 0,
      patterns_compared: answers.patterns,
      recommendations_compared: answers.recommendations,
      ...summary,
    });
  });

  it("control: with the idempotency key stripped, the same check sees the duplicates", async () => {
    const events = 300;
    const { result, expected, held, summary } = await runThroughProxy({
      deployments: 4,
      events,
      seed: 5,
      schedule: seededSchedule({
        seed: 5,
        faultRate: 0.3,
        // Mostly resets: a held answer costs the emitter a whole http timeout.
        weights: { reset_after: 3, timeout_after: 1 },
        delayMs: 0,
        retryAfterSeconds: 0,
      }),
      dropRequestHeaders: [IDEMPOTENCY_KEY_HEADER],
    });
    expect(result).toMatchObject({ sent: events, dropped: 0, pending: 0 });
    expect(summary.ambiguous).toBeGreaterThan(0);
    expect(summary.duplicatesRefused).toBe(0);
    const diff = diffEvents(expected, held);
    expect(diff.lost).toBe(0);
    // Each ambiguous exchange stored its batch once more when the emitter retried it.
    expect(diff.duplicated).toBeGreaterThan(0);
    expect(diff.duplicated).toBeLessThanOrEqual(summary.ambiguous * FAULT_EMITTER_CONFIG.batch_size);

    recordFigures("delivery-control", { events_sent: events, ambiguous: summary.ambiguous, ...diff });
  });
});
