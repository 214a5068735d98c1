// Queueing and delivery against a real HTTP server on loopback: what is sent, how it is batched,
// the bounded queue, close() and the interval flush.
import { PassThrough } from "node:stream";
import { deploymentIdFromSalt, parseEventBatch } from "@synthorg/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAnalyticsEmitter, LOG_EVENTS, LOGGER_NAME, type AnalyticsEmitter } from "../src/index.js";
import { FakeCollector, INGEST_PATH, hang, ok } from "./fake-collector.js";
import {
  API_KEY,
  SALT,
  analyticsConfig,
  captureLogs,
  confidences,
  decision,
  emitNumbered,
  emitterFor,
  eventsNamed,
  proposal,
  rollout,
} from "./fixtures.js";

let collector: FakeCollector;
let emitter: AnalyticsEmitter | null = null;

beforeEach(async () => {
  collector = await FakeCollector.start();
});

afterEach(async () => {
  await emitter?.close({ timeoutMs: 0 });
  emitter = null;
  await collector.close();
});

describe("createAnalyticsEmitter", () => {
  it("returns null when analytics is disabled", () => {
    const config = analyticsConfig(collector.url, { enabled: false });
    expect(createAnalyticsEmitter({ config, altitudes: {} })).toBeNull();
  });
});

describe("delivery", () => {
  it("posts the anonymised batch to <collector_url>/trpc/events.ingest with the bearer key", async () => {
    const { logger, lines } = captureLogs();
    emitter = emitterFor({
      config: analyticsConfig(collector.url),
      altitudes: { config_tuning: true, architecture: true },
      apiKey: API_KEY,
      sdkVersion: "2.4.0",
      logger,
    });
    emitter.emitDecision(decision(), proposal());
    emitter.emitRollout(rollout(), proposal({ sourceRule: "my_own_rule" }));
    await emitter.flush();

    expect(collector.requests).toHaveLength(1);
    const [request] = collector.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(INGEST_PATH);
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers["idempotency-key"]).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    const body = JSON.parse(request?.body ?? "") as unknown;
    expect(Object.keys(body as object)).toEqual(["events"]);
    expect(parseEventBatch(body).ok).toBe(true);
    expect(request?.events).toEqual([
      {
        schema_version: "1",
        deployment_id: deploymentIdFromSalt(SALT),
        event_type: "proposal_decision",
        timestamp: "2026-04-16",
        altitude: "config_tuning",
        source_rule: "coordination_overhead",
        decision: "approved",
        confidence: 0.8,
        rollout_outcome: null,
        regression_verdict: null,
        observation_hours: null,
        enabled_altitudes: ["config_tuning", "architecture"],
        industry_tag: "technology",
        sdk_version: "2.4.0",
      },
      {
        schema_version: "1",
        deployment_id: deploymentIdFromSalt(SALT),
        event_type: "rollout_result",
        timestamp: "2026-04-18",
        altitude: "config_tuning",
        source_rule: "custom",
        decision: null,
        confidence: null,
        rollout_outcome: "success",
        regression_verdict: "no_regression",
        observation_hours: 48,
        enabled_altitudes: ["config_tuning", "architecture"],
        industry_tag: "technology",
        sdk_version: "2.4.0",
      },
    ]);
    expect(emitter.stats()).toEqual({
      queued: 2,
      sent: 2,
      dropped_overflow: 0,
      dropped_rejected: 0,
      dropped_invalid: 0,
      retries: 0,
      pending: 0,
      last_status: 200,
    });
    const flushed = eventsNamed(lines, LOG_EVENTS.flushed);
    expect(flushed).toMatchObject([{ name: LOGGER_NAME, event_count: 2, status: 200, duplicate: false }]);
    expect(eventsNamed(lines, LOG_EVENTS.queued)).toMatchObject([
      { level: 20, event_type: "proposal_decision", pending: 1 },
      { level: 20, event_type: "rollout_result", pending: 2 },
    ]);
  });

  it("takes the key from collector_api_key when no apiKey option is given", async () => {
    emitter = emitterFor({
      config: analyticsConfig(collector.url, { collector_api_key: "sak_from_config" }),
      altitudes: {},
    });
    emitter.emitDecision(decision(), proposal());
    await emitter.flush();
    expect(collector.requests[0]?.headers.authorization).toBe("Bearer sak_from_config");
  });

  it("sends a full batch without being asked, one request at a time, never over batch_size", async () => {
    collector.otherwise(ok);
    emitter = emitterFor({
      config: analyticsConfig(collector.url, { batch_size: 10 }),
      altitudes: {},
      apiKey: API_KEY,
    });
    emitNumbered(emitter, 25);
    await collector.waitForRequests(2);
    await emitter.flush();

    expect(collector.requests.map((r) => r.events.length)).toEqual([10, 10, 5]);
    expect(confidences(collector.acceptedEvents())).toEqual(Array.from({ length: 25 }, (_, i) => i / 1000));
    const keys = new Set(collector.requests.map((r) => r.idempotencyKey));
    expect(keys.size).toBe(3);
    expect(emitter.stats()).toMatchObject({ queued: 25, sent: 25, pending: 0 });
  });

  it("flushes on the interval when fewer than batch_size events wait", async () => {
    emitter = emitterFor({
      config: analyticsConfig(collector.url, { flush_interval_seconds: 1 }),
      altitudes: {},
      apiKey: API_KEY,
    });
    emitter.emitDecision(decision(), proposal());
    await collector.waitForRequests(1);
    expect(collector.requests[0]?.events).toHaveLength(1);
  });

  it("in dryRun writes each wire event as one JSON line and sends nothing", async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
    emitter = emitterFor({ config: analyticsConfig(collector.url), altitudes: {}, dryRun: out });
    emitter.emitDecision(decision(), proposal());
    emitter.emitRollout(rollout(), proposal());
    await emitter.flush();
    const result = await emitter.close();

    const lines = chunks.join("").split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(parseEventBatch({ events: lines.map((line) => JSON.parse(line) as unknown) }).ok).toBe(true);
    expect(collector.requests).toHaveLength(0);
    expect(result).toEqual({ sent: 2, dropped: 0, pending: 0 });
  });
});

describe("bad input", () => {
  it("is logged by field and counted, never thrown, and the rest is still delivered", async () => {
    const { logger, lines } = captureLogs();
    emitter = emitterFor({ config: analyticsConfig(collector.url), altitudes: {}, apiKey: API_KEY, logger });
    expect(() => {
      emitter?.emitDecision(decision({ decidedAt: new Date(Number.NaN) }), proposal());
      emitter?.emitDecision(decision({ confidenceAtDecision: 7 }), proposal());
      emitter?.emitRollout(null as unknown as ReturnType<typeof rollout>, proposal());
      emitter?.emitDecision(decision(), proposal());
    }).not.toThrow();
    await emitter.flush();

    expect(emitter.stats()).toMatchObject({ dropped_invalid: 3, queued: 1, sent: 1 });
    const invalid = eventsNamed(lines, LOG_EVENTS.invalid);
    expect(invalid.map((line) => line.issues)).toEqual([
      ["decidedAt: must be a valid Date"],
      [expect.stringMatching(/^confidence: /)],
      [expect.stringMatching(/^TypeError: /)],
    ]);
    expect(collector.requests[0]?.events).toHaveLength(1);
  });
});

describe("bounded queue", () => {
  it("drops the oldest events when max_pending are waiting, and counts them", async () => {
    const { logger, lines } = captureLogs();
    emitter = emitterFor({
      config: analyticsConfig(collector.url, { max_pending: 3, batch_size: 50 }),
      altitudes: {},
      apiKey: API_KEY,
      logger,
    });
    emitNumbered(emitter, 5);
    expect(emitter.stats()).toMatchObject({ queued: 5, pending: 3, dropped_overflow: 2 });
    await emitter.flush();

    expect(confidences(collector.acceptedEvents())).toEqual([0.002, 0.003, 0.004]);
    expect(eventsNamed(lines, LOG_EVENTS.overflow)).toHaveLength(1);
    expect(await emitter.close()).toEqual({ sent: 3, dropped: 2, pending: 0 });
  });

  it("returns at once from 10 000 emits while the collector hangs, holding at most max_pending", async () => {
    collector.otherwise(hang);
    const maxPending = 500;
    emitter = emitterFor({
      config: analyticsConfig(collector.url, { max_pending: maxPending, batch_size: 50 }),
      altitudes: {},
      apiKey: API_KEY,
    });
    for (let i = 0; i < 10_000; i++) emitter.emitDecision(decision(), proposal());
    expect(emitter.stats()).toMatchObject({ queued: 10_000, pending: maxPending, dropped_overflow: 9_500 });

    // The first batch is now on the wire and hanging; more emits still return and stay bounded.
    await collector.waitForRequests(1);
    for (let i = 0; i < 10_000; i++) emitter.emitDecision(decision(), proposal());
    expect(emitter.stats()).toMatchObject({ queued: 20_000, pending: maxPending, dropped_overflow: 19_500 });
    expect(collector.requests).toHaveLength(1);

    const result = await emitter.close({ timeoutMs: 50 });
    expect(result).toEqual({ sent: 0, dropped: 19_500, pending: maxPending });
  });
});

describe("close()", () => {
  it("keeps its deadline against a hanging collector and reports what was left", async () => {
    collector.otherwise(hang);
    const { logger, lines } = captureLogs();
    emitter = emitterFor({ config: analyticsConfig(collector.url), altitudes: {}, apiKey: API_KEY, logger });
    emitNumbered(emitter, 3);
    const result = await emitter.close({ timeoutMs: 100 });

    expect(result).toEqual({ sent: 0, dropped: 0, pending: 3 });
    expect(collector.acceptedEvents()).toHaveLength(0);
    expect(eventsNamed(lines, LOG_EVENTS.closed)).toMatchObject([{ sent: 0, dropped: 0, pending: 3 }]);
  });

  it("drains what is queued, then ignores later emits", async () => {
    emitter = emitterFor({ config: analyticsConfig(collector.url), altitudes: {}, apiKey: API_KEY });
    emitNumbered(emitter, 7);
    const result = await emitter.close();
    emitter.emitDecision(decision(), proposal());

    expect(result).toEqual({ sent: 7, dropped: 0, pending: 0 });
    expect(emitter.stats()).toMatchObject({ queued: 7, sent: 7, pending: 0 });
    expect(collector.acceptedEvents()).toHaveLength(7);
  });
});
