// Queueing and delivery against a real HTTP server on loopback: what is sent, how it is batched,
// the bounded queue, close() and the interval flush.
import { PassThrough } from "node:stream";
import { deploymentIdFromSalt, parseEventBatch } from "@synthorg/schema";
import { sampleDecisionEvent, sampleRolloutEvent } from "@synthorg/schema/testing";
import { describe, expect, it } from "vitest";
import { createAnalyticsEmitter, LOG_EVENTS, LOGGER_NAME } from "../src/index.js";
import { INGEST_PATH, hang, ok } from "./fake-collector.js";
import {
  API_KEY,
  SALT,
  analyticsConfig,
  captureLogs,
  confidences,
  decision,
  emitNumbered,
  eventsNamed,
  proposal,
  rollout,
  useFakeCollector,
} from "./fixtures.js";

const fake = useFakeCollector();

describe("createAnalyticsEmitter", () => {
  it("returns null when analytics is disabled", () => {
    const config = analyticsConfig(fake.collector.url, { enabled: false });
    expect(createAnalyticsEmitter({ config, altitudes: {} })).toBeNull();
  });
});

describe("delivery", () => {
  it("posts the anonymised batch to <collector_url>/trpc/events.ingest with the bearer key", async () => {
    const { logger, lines } = captureLogs();
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url),
      altitudes: { config_tuning: true, architecture: true },
      apiKey: API_KEY,
      sdkVersion: "2.4.0",
      logger,
    });
    emitter.emitDecision(decision(), proposal());
    emitter.emitRollout(rollout(), proposal({ sourceRule: "my_own_rule" }));
    await emitter.flush();

    expect(fake.collector.requests).toHaveLength(1);
    const [request] = fake.collector.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(INGEST_PATH);
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers["idempotency-key"]).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    const body = JSON.parse(request?.body ?? "") as unknown;
    expect(Object.keys(body as object)).toEqual(["events"]);
    expect(parseEventBatch(body).ok).toBe(true);
    const deployment_id = deploymentIdFromSalt(SALT);
    expect(request?.events).toEqual([
      sampleDecisionEvent({ deployment_id, source_rule: "coordination_overhead" }),
      sampleRolloutEvent({
        deployment_id,
        timestamp: "2026-04-18",
        source_rule: "custom",
        observation_hours: 48,
      }),
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
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url, { collector_api_key: "sak_from_config" }),
      altitudes: {},
    });
    emitter.emitDecision(decision(), proposal());
    await emitter.flush();
    expect(fake.collector.requests[0]?.headers.authorization).toBe("Bearer sak_from_config");
  });

  it("sends a full batch without being asked, one request at a time, never over batch_size", async () => {
    fake.collector.otherwise(ok);
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url, { batch_size: 10 }),
      altitudes: {},
      apiKey: API_KEY,
    });
    emitNumbered(emitter, 25);
    await fake.collector.waitForRequests(2);
    await emitter.flush();

    expect(fake.collector.requests.map((r) => r.events.length)).toEqual([10, 10, 5]);
    expect(confidences(fake.collector.acceptedEvents())).toEqual(
      Array.from({ length: 25 }, (_, i) => i / 1000),
    );
    const keys = new Set(fake.collector.requests.map((r) => r.idempotencyKey));
    expect(keys.size).toBe(3);
    expect(emitter.stats()).toMatchObject({ queued: 25, sent: 25, pending: 0 });
  });

  it("flushes on the interval when fewer than batch_size events wait", async () => {
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url, { flush_interval_seconds: 1 }),
      altitudes: {},
      apiKey: API_KEY,
    });
    emitter.emitDecision(decision(), proposal());
    await fake.collector.waitForRequests(1);
    expect(fake.collector.requests[0]?.events).toHaveLength(1);
  });

  it("in dryRun writes each wire event as one JSON line and sends nothing", async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
    const emitter = fake.emitter({ config: analyticsConfig(fake.collector.url), altitudes: {}, dryRun: out });
    emitter.emitDecision(decision(), proposal());
    emitter.emitRollout(rollout(), proposal());
    await emitter.flush();
    const result = await emitter.close();

    const lines = chunks.join("").split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(parseEventBatch({ events: lines.map((line) => JSON.parse(line) as unknown) }).ok).toBe(true);
    expect(fake.collector.requests).toHaveLength(0);
    expect(result).toEqual({ sent: 2, dropped: 0, pending: 0 });
  });
});

describe("bad input", () => {
  it("is logged by field and counted, never thrown, and the rest is still delivered", async () => {
    const { emitter, lines } = fake.loggedEmitter();
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
    expect(fake.collector.requests[0]?.events).toHaveLength(1);
  });
});

describe("bounded queue", () => {
  it("drops the oldest events when max_pending are waiting, and counts them", async () => {
    const { emitter, lines } = fake.loggedEmitter({ max_pending: 3, batch_size: 50 });
    emitNumbered(emitter, 5);
    expect(emitter.stats()).toMatchObject({ queued: 5, pending: 3, dropped_overflow: 2 });
    await emitter.flush();

    expect(confidences(fake.collector.acceptedEvents())).toEqual([0.002, 0.003, 0.004]);
    expect(eventsNamed(lines, LOG_EVENTS.overflow)).toHaveLength(1);
    expect(await emitter.close()).toEqual({ sent: 3, dropped: 2, pending: 0 });
  });

  it("returns at once from 10 000 emits while the collector hangs, holding at most max_pending", async () => {
    fake.collector.otherwise(hang);
    const maxPending = 500;
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url, { max_pending: maxPending, batch_size: 50 }),
      altitudes: {},
      apiKey: API_KEY,
    });
    for (let i = 0; i < 10_000; i++) emitter.emitDecision(decision(), proposal());
    expect(emitter.stats()).toMatchObject({ queued: 10_000, pending: maxPending, dropped_overflow: 9_500 });

    // The first batch is now on the wire and hanging; more emits still return and stay bounded.
    await fake.collector.waitForRequests(1);
    for (let i = 0; i < 10_000; i++) emitter.emitDecision(decision(), proposal());
    expect(emitter.stats()).toMatchObject({ queued: 20_000, pending: maxPending, dropped_overflow: 19_500 });
    expect(fake.collector.requests).toHaveLength(1);

    const result = await emitter.close({ timeoutMs: 50 });
    expect(result).toEqual({ sent: 0, dropped: 19_500, pending: maxPending });
  });
});

describe("close()", () => {
  it("keeps its deadline against a hanging collector and reports what was left", async () => {
    fake.collector.otherwise(hang);
    const { emitter, lines } = fake.loggedEmitter();
    emitNumbered(emitter, 3);
    const result = await emitter.close({ timeoutMs: 100 });

    expect(result).toEqual({ sent: 0, dropped: 0, pending: 3 });
    expect(fake.collector.acceptedEvents()).toHaveLength(0);
    expect(eventsNamed(lines, LOG_EVENTS.closed)).toMatchObject([{ sent: 0, dropped: 0, pending: 3 }]);
  });

  it("drains what is queued, then ignores later emits", async () => {
    const emitter = fake.emitter({
      config: analyticsConfig(fake.collector.url),
      altitudes: {},
      apiKey: API_KEY,
    });
    emitNumbered(emitter, 7);
    const result = await emitter.close();
    emitter.emitDecision(decision(), proposal());

    expect(result).toEqual({ sent: 7, dropped: 0, pending: 0 });
    expect(emitter.stats()).toMatchObject({ queued: 7, sent: 7, pending: 0 });
    expect(fake.collector.acceptedEvents()).toHaveLength(7);
  });
});
