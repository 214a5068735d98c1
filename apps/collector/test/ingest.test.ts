// Ingest semantics over HTTP: idempotent retries, the sybil cap, the rate limit, eviction, outages,
// and the read side (patterns, recommendations, stats, OpenAPI, metrics) against the naive reference.
import { patternSchema, recommendationSchema, type AnonymizedEvent } from "@synthorg/schema";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/store/memory.js";
import { StoreUnavailableError, type AnalyticsStore } from "../src/store/types.js";
import {
  diffPatterns,
  diffRecommendations,
  naivePatterns,
  naiveRecommendations,
} from "../src/testing/index.js";
import { sampleDecisionEvent, sampleRolloutEvent } from "@synthorg/schema/testing";
import { batch, deploymentId, eventStream } from "./fixtures.js";
import { auth, getJson, postJson, startTestCollector, trpcClient, type TestCollector } from "./helpers.js";

const running: TestCollector[] = [];
async function start(...args: Parameters<typeof startTestCollector>): Promise<TestCollector> {
  const collector = await startTestCollector(...args);
  running.push(collector);
  return collector;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((collector) => collector.close()));
});

const ingestRest = (
  c: TestCollector,
  body: unknown,
  headers: Record<string, string> = {},
  key = c.keys.write,
) => postJson(`${c.baseUrl}/events`, body, auth(key, headers));
const size = async (c: TestCollector) =>
  ((await getJson(`${c.baseUrl}/stats`, auth(c.keys.read))).body as { store: { size: number } }).store.size;
const metric = async (c: TestCollector, name: string): Promise<number> => {
  const text = (await getJson(`${c.url}/metrics`)).body as string;
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? 0);
};

describe("idempotent retries", () => {
  it("returns the first answer with duplicate: true and stores nothing, on both transports", async () => {
    const c = await start();
    const body = batch(sampleDecisionEvent(), sampleRolloutEvent());
    const first = await ingestRest(c, body, { "idempotency-key": "batch-0001" });
    expect(first).toMatchObject({ status: 200, body: { ingested: 2, duplicate: false } });
    const again = await ingestRest(c, body, { "idempotency-key": "batch-0001" });
    expect(again).toMatchObject({ status: 200, body: { ingested: 2, duplicate: true } });
    // The same key over tRPC is the same batch.
    const trpc = trpcClient(c, c.keys.write, { "idempotency-key": "batch-0001" });
    await expect(trpc.events.ingest.mutate(body)).resolves.toEqual({ ingested: 2, duplicate: true });
    expect(await size(c)).toBe(2);
    expect(await metric(c, "synthorg_collector_batches_duplicate_total")).toBe(2);
    expect(await metric(c, "synthorg_collector_events_ingested_total")).toBe(2);
    // No key, no deduplication.
    await ingestRest(c, body);
    expect(await size(c)).toBe(4);
  });

  it("scopes keys to the writer", async () => {
    const c = await start();
    const body = batch(sampleDecisionEvent());
    await ingestRest(c, body, { "idempotency-key": "shared" }, c.keys.write);
    const other = await ingestRest(c, body, { "idempotency-key": "shared" }, c.keys.both);
    expect(other.body).toEqual({ ingested: 1, duplicate: false });
  });
});

describe("the sybil cap", () => {
  it("refuses a writer's fifth distinct deployment id with 403 and stores none of the batch", async () => {
    const c = await start({ max_deployments_per_key: 4 });
    const events = (names: string[]) =>
      batch(...names.map((name) => sampleDecisionEvent({ deployment_id: deploymentId(name) })));
    expect((await ingestRest(c, events(["a", "b", "c"]))).status).toBe(200);
    const refused = await ingestRest(c, events(["a", "d", "e"]));
    expect(refused).toMatchObject({
      status: 403,
      body: {
        error: {
          code: "FORBIDDEN",
          message: expect.stringContaining("at most 4 distinct deployment ids") as string,
        },
      },
    });
    expect(await size(c)).toBe(3);
    expect((await ingestRest(c, events(["d", "a"]))).status).toBe(200);
    const trpc = trpcClient(c, c.keys.write);
    await expect(trpc.events.ingest.mutate(events(["e"]))).rejects.toMatchObject({
      data: { code: "FORBIDDEN", httpStatus: 403 },
    });
    expect(await size(c)).toBe(5);
    const text = (await getJson(`${c.url}/metrics`)).body as string;
    expect(text).toContain('synthorg_collector_batches_rejected_total{reason="deployment_cap"} 2');
    // Another key has its own cap.
    expect((await ingestRest(c, events(["x"]), {}, c.keys.both)).status).toBe(200);
  });
});

describe("the rate limit", () => {
  it("answers 429 with Retry-After past the per-key budget, and recovers as time passes", async () => {
    const c = await start({ rate_limit_per_minute: 3 });
    for (let i = 0; i < 3; i++) expect((await ingestRest(c, batch())).status).toBe(200);
    const limited = await ingestRest(c, batch(sampleDecisionEvent()));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
    expect(limited.headers.get("retry-after")).toBe("20");
    const trpc = await postJson(`${c.baseUrl}/trpc/events.ingest`, batch(), auth(c.keys.write));
    expect(trpc.status).toBe(429);
    expect(trpc.headers.get("retry-after")).toBe("20");
    // Each key has its own budget.
    expect((await getJson(`${c.baseUrl}/patterns`, auth(c.keys.read))).status).toBe(200);
    c.advance(20_000);
    expect((await ingestRest(c, batch(sampleDecisionEvent()))).status).toBe(200);
    expect(await size(c)).toBe(1);
  });
});

describe("eviction at max_events", () => {
  it("keeps the newest max_events events and answers exactly over them", async () => {
    const c = await start(
      { store: { max_events: 50 }, max_deployments_per_key: 10 },
      { block: { min_deployments_for_pattern: 2, recommendation_min_observations: 3 } },
    );
    const events = eventStream(180, { seed: 21, deployments: 6 });
    for (let i = 0; i < events.length; i += 40) {
      expect((await ingestRest(c, { events: events.slice(i, i + 40) })).status).toBe(200);
    }
    const retained = events.slice(-50);
    const stats = (await getJson(`${c.baseUrl}/stats`, auth(c.keys.read))).body;
    expect(stats).toMatchObject({
      store: { size: 50, capacity: 50, ingested_total: 180, evicted_total: 130 },
    });
    expect(await metric(c, "synthorg_collector_events_evicted_total")).toBe(130);
    expect(await metric(c, "synthorg_collector_store_events")).toBe(50);
    const { body } = await getJson(`${c.baseUrl}/patterns?min_deployments=2`, auth(c.keys.read));
    expect(
      diffPatterns((body as { patterns: never[] }).patterns, naivePatterns(retained, { minDeployments: 2 })),
    ).toEqual([]);
  });
});

describe("reading patterns and recommendations", () => {
  /** Five deployments that approve and succeed with quality_declining, plus rarer signals. */
  function fleet(): AnonymizedEvent[] {
    const out: Record<string, unknown>[] = [];
    for (let d = 0; d < 5; d++) {
      const common = {
        deployment_id: deploymentId(`fleet-${d}`),
        industry_tag: d < 3 ? "finance" : `solo-${d}`,
      };
      for (let i = 0; i < 4; i++) out.push(sampleDecisionEvent({ ...common, confidence: 0.5 + d / 10 }));
      out.push(sampleRolloutEvent({ ...common, observation_hours: 24 * (d + 1) }));
      for (let i = 0; i < 2; i++) {
        out.push(
          sampleDecisionEvent({
            ...common,
            source_rule: "coordination_overhead",
            altitude: "architecture",
            decision: "rejected",
            confidence: 0.9,
          }),
        );
      }
      out.push(sampleDecisionEvent({ ...common, source_rule: "redundancy", industry_tag: null }));
    }
    return out as unknown as AnonymizedEvent[];
  }

  it("serves the naive reference's answers, valid against the schemas, on both transports", async () => {
    const c = await start({ max_deployments_per_key: 10 });
    const events = fleet();
    await ingestRest(c, { events });
    const config = c.config;
    const rest = (await getJson(`${c.baseUrl}/patterns`, auth(c.keys.read))).body as {
      min_deployments: number;
      patterns: never[];
    };
    expect(rest.min_deployments).toBe(3);
    expect(diffPatterns(rest.patterns, naivePatterns(events, { minDeployments: 3 }))).toEqual([]);
    for (const pattern of rest.patterns) expect(() => patternSchema.parse(pattern)).not.toThrow();
    const quality = rest.patterns.find(
      (p: { source_rule: string }) => p.source_rule === "quality_declining",
    ) as unknown as {
      industry_breakdown: [string, number][];
    };
    // finance is in 3 deployments (≥ k); each solo tag in one, so it is left out.
    expect(quality.industry_breakdown).toEqual([["finance", 15]]);

    const recs = (await getJson(`${c.baseUrl}/recommendations`, auth(c.keys.read))).body as {
      recommendations: never[];
    };
    expect(diffRecommendations(recs.recommendations, naiveRecommendations(events, config))).toEqual([]);
    for (const rec of recs.recommendations) expect(() => recommendationSchema.parse(rec)).not.toThrow();
    expect(
      recs.recommendations.map((r: { rule_name: string; direction: string }) => [r.rule_name, r.direction]),
    ).toEqual([
      ["coordination_overhead", "fire_less"],
      ["quality_declining", "fire_more"],
    ]);

    const trpc = trpcClient(c, c.keys.read);
    await expect(trpc.patterns.list.query()).resolves.toEqual(rest);
    await expect(trpc.recommendations.list.query()).resolves.toEqual(recs);
  });

  it("lets a query raise k but never lower it below min_deployments_for_pattern", async () => {
    const c = await start({ max_deployments_per_key: 10 });
    await ingestRest(c, { events: fleet() });
    const at = async (k: number) =>
      (await getJson(`${c.baseUrl}/patterns?min_deployments=${k}`, auth(c.keys.read))).body as {
        min_deployments: number;
        patterns: unknown[];
      };
    expect((await at(1)).min_deployments).toBe(3);
    expect((await at(5)).min_deployments).toBe(5);
    expect((await at(5)).patterns).toHaveLength(3);
    expect((await at(5)).patterns.map((p) => (p as { source_rule: string }).source_rule)).toEqual([
      "quality_declining",
      "coordination_overhead",
      "redundancy",
    ]);
    expect((await at(6)).patterns).toEqual([]);
    await expect(
      trpcClient(c, c.keys.read).patterns.list.query({ minDeployments: 2 }),
    ).resolves.toMatchObject({ min_deployments: 3 });
  });

  it("summarises the store, the ingest rate, uptime and server time for the dashboard", async () => {
    const c = await start();
    await ingestRest(c, batch(sampleDecisionEvent(), sampleDecisionEvent(), sampleRolloutEvent()));
    c.advance(90_000);
    await ingestRest(c, batch(sampleDecisionEvent(), sampleDecisionEvent()));
    const summary = await trpcClient(c, c.keys.read).stats.summary.query();
    expect(summary).toMatchObject({
      store: {
        kind: "memory",
        size: 5,
        capacity: 100_000,
        ingested_total: 5,
        evicted_total: 0,
        deployments: 1,
      },
      uptime_seconds: 90,
      min_deployments_for_pattern: 3,
      recommendation_min_observations: 10,
    });
    // Only the last minute counts: the 2 events just sent, over 60 s.
    expect(summary.ingest_rate_per_second).toBeCloseTo(2 / 60, 10);
    expect(summary.server_time).toBeInstanceOf(Date);
    const rest = (await getJson(`${c.baseUrl}/stats`, auth(c.keys.read))).body as { server_time: string };
    expect(new Date(rest.server_time).toISOString()).toBe(rest.server_time);
  });
});

describe("the OpenAPI document", () => {
  it("is generated from the schemas and describes every REST route", async () => {
    const c = await start();
    const { status, body } = await getJson(`${c.baseUrl}/openapi.json`);
    expect(status).toBe(200);
    const doc = body as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/events",
      "/openapi.json",
      "/patterns",
      "/recommendations",
      "/stats",
    ]);
    const batchSchema = doc.components.schemas.EventBatch as { properties: { events: { maxItems: number } } };
    expect(batchSchema.properties.events.maxItems).toBe(1000);
    expect(Object.keys(doc.components.schemas.PatternList?.properties ?? {})).toEqual([
      "min_deployments",
      "patterns",
    ]);
    expect(JSON.stringify(doc.components.schemas.StatsSummary)).toContain('"format":"date-time"');
  });
});

/** A real memory store behind a switch that makes it fail the way an unreachable database does. */
function switchableStore(inner: AnalyticsStore) {
  const state = { down: false };
  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    state.down ? Promise.reject(new StoreUnavailableError("connection refused", 7)) : call();
  const store: AnalyticsStore = {
    kind: inner.kind,
    ingest: (request) => guard(() => inner.ingest(request)),
    groupAggregates: () => guard(() => inner.groupAggregates()),
    stats: () => guard(() => inner.stats()),
    ready: () => Promise.resolve(!state.down),
    close: () => inner.close(),
  };
  return { store, state };
}

describe("store outages", () => {
  it("answers 503 with Retry-After on both transports and /readyz, and recovers", async () => {
    const { store, state } = switchableStore(createMemoryStore());
    const c = await start({}, { store });
    expect((await getJson(`${c.url}/readyz`)).status).toBe(200);
    state.down = true;
    const ready = await getJson(`${c.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
    const rest = await ingestRest(c, batch(sampleDecisionEvent()));
    expect(rest).toMatchObject({ status: 503, body: { error: { code: "SERVICE_UNAVAILABLE" } } });
    expect(rest.headers.get("retry-after")).toBe("7");
    expect(JSON.stringify(rest.body)).not.toContain("connection refused");
    const trpc = await postJson(
      `${c.baseUrl}/trpc/events.ingest`,
      batch(sampleDecisionEvent()),
      auth(c.keys.write),
    );
    expect(trpc.status).toBe(503);
    expect(trpc.headers.get("retry-after")).toBe("7");
    expect((await getJson(`${c.baseUrl}/patterns`, auth(c.keys.read))).status).toBe(503);
    expect((await getJson(`${c.url}/healthz`)).status).toBe(200);
    state.down = false;
    expect((await ingestRest(c, batch(sampleDecisionEvent()))).status).toBe(200);
    expect((await getJson(`${c.url}/readyz`)).status).toBe(200);
  });
});
