// The behaviour every AnalyticsStore must have, as a reusable suite. Store-agnostic and async: each
// test makes its own store through `makeStore` and closes it. Run it with
//   describeStoreContract("memory", (options) => createMemoryStore(options));
// Expected patterns come from the naive reference over the events the store should retain.
import type { AnonymizedEvent } from "@synthorg/schema";
import { afterEach, describe, expect, it } from "vitest";
import { buildPatterns } from "../src/patterns.js";
import { buildRecommendations } from "../src/recommendations.js";
import type { AnalyticsStore, IngestRequest } from "../src/store/types.js";
import {
  diffPatterns,
  diffRecommendations,
  naivePatterns,
  naiveRecommendations,
} from "../src/testing/index.js";
import { sampleDecisionEvent } from "@synthorg/schema/testing";
import { deploymentId, eventStream, asEvents } from "./fixtures.js";

export interface StoreContractOptions {
  /** Capacity in events (collector.store.max_events). */
  readonly maxEvents: number;
  readonly maxDeploymentsPerKey: number;
}

export type MakeStore = (options: StoreContractOptions) => AnalyticsStore | Promise<AnalyticsStore>;

const ROOMY: StoreContractOptions = { maxEvents: 10_000, maxDeploymentsPerKey: 1_000 };

function request(
  events: readonly AnonymizedEvent[],
  writerId = "writer",
  batchKey: string | null = null,
): IngestRequest {
  return { events, writerId, batchKey };
}

/** Ingests `events` in batches of `size` under one writer, no batch keys. */
async function ingestAll(
  store: AnalyticsStore,
  events: readonly AnonymizedEvent[],
  size = 100,
): Promise<void> {
  for (let i = 0; i < events.length; i += size) {
    await expect(store.ingest(request(events.slice(i, i + size)))).resolves.toMatchObject({ kind: "stored" });
  }
}

/** The store's answers equal the naive reference over `retained`, at several k. */
async function expectAnswersOf(store: AnalyticsStore, retained: readonly AnonymizedEvent[]): Promise<void> {
  const aggregates = await store.groupAggregates();
  for (const k of [1, 2, 3, 5]) {
    expect(
      diffPatterns(buildPatterns(aggregates, k), naivePatterns(retained, { minDeployments: k })),
    ).toEqual([]);
  }
  const config = { min_deployments_for_pattern: 2, recommendation_min_observations: 3 };
  expect(
    diffRecommendations(
      buildRecommendations(buildPatterns(aggregates, config.min_deployments_for_pattern), config),
      naiveRecommendations(retained, config),
    ),
  ).toEqual([]);
}

export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`AnalyticsStore contract: ${name}`, () => {
    const open: AnalyticsStore[] = [];
    const make = async (options: Partial<StoreContractOptions> = {}): Promise<AnalyticsStore> => {
      const store = await makeStore({ ...ROOMY, ...options });
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });

    it("is ready, and starts empty", async () => {
      const store = await make();
      await expect(store.ready()).resolves.toBe(true);
      await expect(store.groupAggregates()).resolves.toEqual([]);
      await expect(store.stats()).resolves.toMatchObject({
        size: 0,
        ingested_total: 0,
        evicted_total: 0,
        deployments: 0,
      });
    });

    it("stores a batch and counts it", async () => {
      const store = await make();
      const events = eventStream(50, { seed: 1, deployments: 4 });
      await expect(store.ingest(request(events))).resolves.toEqual({
        kind: "stored",
        ingested: 50,
        duplicate: false,
      });
      const stats = await store.stats();
      expect(stats).toMatchObject({ size: 50, ingested_total: 50, evicted_total: 0 });
      expect(stats.deployments).toBe(new Set(events.map((event) => event.deployment_id)).size);
    });

    it("stores an empty batch as zero events", async () => {
      const store = await make();
      await expect(store.ingest(request([], "writer", "empty"))).resolves.toEqual({
        kind: "stored",
        ingested: 0,
        duplicate: false,
      });
      await expect(store.stats()).resolves.toMatchObject({ size: 0 });
    });

    it("answers exactly as the naive reference over everything it holds", async () => {
      const store = await make();
      const events = eventStream(600, { seed: 2, deployments: 7 });
      await ingestAll(store, events);
      await expectAnswersOf(store, events);
    });

    it("leaves events without a source_rule out of the groups but keeps them", async () => {
      const store = await make();
      await store.ingest(
        request(asEvents([sampleDecisionEvent({ source_rule: null }), sampleDecisionEvent()])),
      );
      const aggregates = await store.groupAggregates();
      expect(aggregates).toHaveLength(1);
      expect(aggregates[0]).toMatchObject({ source_rule: "quality_declining", total_events: 1 });
      await expect(store.stats()).resolves.toMatchObject({ size: 2 });
    });

    it("returns the first answer for a repeated batch key and stores nothing more", async () => {
      const store = await make();
      const events = eventStream(20, { seed: 3, deployments: 3 });
      await expect(store.ingest(request(events, "writer", "batch-1"))).resolves.toEqual({
        kind: "stored",
        ingested: 20,
        duplicate: false,
      });
      // A retry may even carry a different body: the key decides.
      await expect(store.ingest(request(events.slice(0, 5), "writer", "batch-1"))).resolves.toEqual({
        kind: "stored",
        ingested: 20,
        duplicate: true,
      });
      await expect(store.stats()).resolves.toMatchObject({ size: 20, ingested_total: 20 });
      await expectAnswersOf(store, events);
    });

    it("scopes batch keys to the writer, and never deduplicates without a key", async () => {
      const store = await make();
      const events = eventStream(10, { seed: 4, deployments: 2 });
      await store.ingest(request(events, "writer-a", "same-key"));
      await expect(store.ingest(request(events, "writer-b", "same-key"))).resolves.toMatchObject({
        duplicate: false,
      });
      await store.ingest(request(events, "writer-a", null));
      await store.ingest(request(events, "writer-a", null));
      await expect(store.stats()).resolves.toMatchObject({ size: 40 });
    });

    it("stores concurrent repeats of one batch key exactly once", async () => {
      const store = await make();
      const events = eventStream(30, { seed: 5, deployments: 3 });
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => store.ingest(request(events, "writer", "raced"))),
      );
      expect(outcomes.filter((outcome) => outcome.kind === "stored" && !outcome.duplicate)).toHaveLength(1);
      await expect(store.stats()).resolves.toMatchObject({ size: 30 });
    });

    it("keeps every concurrent batch", async () => {
      const store = await make();
      const events = eventStream(400, { seed: 6, deployments: 5 });
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.ingest(request(events.slice(i * 50, i * 50 + 50), "writer", `b${i}`)),
        ),
      );
      await expect(store.stats()).resolves.toMatchObject({ size: 400, ingested_total: 400 });
      await expectAnswersOf(store, events);
    });

    it("refuses a batch that takes a writer past its deployment cap, storing none of it", async () => {
      const store = await make({ maxDeploymentsPerKey: 2 });
      const one = asEvents([sampleDecisionEvent({ deployment_id: deploymentId("a") })]);
      const three = asEvents(
        ["a", "b", "c"].map((name) => sampleDecisionEvent({ deployment_id: deploymentId(name) })),
      );
      await expect(store.ingest(request(one, "sybil"))).resolves.toMatchObject({ kind: "stored" });
      await expect(store.ingest(request(three, "sybil", "k1"))).resolves.toEqual({
        kind: "deployment_cap",
        limit: 2,
      });
      await expect(store.stats()).resolves.toMatchObject({ size: 1 });
      // The refused key was not remembered: the same key is judged afresh.
      await expect(store.ingest(request(three, "sybil", "k1"))).resolves.toEqual({
        kind: "deployment_cap",
        limit: 2,
      });
      // Up to the cap is fine, repeats of claimed ids are fine, and other writers have their own cap.
      const two = asEvents(
        ["a", "b", "b"].map((name) => sampleDecisionEvent({ deployment_id: deploymentId(name) })),
      );
      await expect(store.ingest(request(two, "sybil"))).resolves.toMatchObject({
        kind: "stored",
        ingested: 3,
      });
      await expect(store.ingest(request(three.slice(2), "sybil"))).resolves.toMatchObject({
        kind: "deployment_cap",
      });
      await expect(store.ingest(request(three.slice(0, 2), "honest"))).resolves.toMatchObject({
        kind: "stored",
      });
    });

    it("evicts the oldest events first at capacity, keeping every answer exact", async () => {
      const store = await make({ maxEvents: 64 });
      const capacity = (await store.stats()).capacity;
      const events = eventStream(500, { seed: 7, deployments: 6 });
      await ingestAll(store, events, 37);
      const retained = capacity === null ? events : events.slice(-capacity);
      const stats = await store.stats();
      expect(stats).toMatchObject({
        size: retained.length,
        ingested_total: 500,
        evicted_total: 500 - retained.length,
      });
      expect(stats.deployments).toBe(new Set(retained.map((event) => event.deployment_id)).size);
      await expectAnswersOf(store, retained);
    });

    it("keeps only the newest events of a batch larger than its capacity", async () => {
      const store = await make({ maxEvents: 10 });
      const capacity = (await store.stats()).capacity;
      const events = eventStream(25, { seed: 8, deployments: 4 });
      await expect(store.ingest(request(events))).resolves.toMatchObject({ kind: "stored", ingested: 25 });
      const retained = capacity === null ? events : events.slice(-capacity);
      await expect(store.stats()).resolves.toMatchObject({ size: retained.length });
      await expectAnswersOf(store, retained);
    });
  });
}
