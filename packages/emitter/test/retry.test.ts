// The retry policy end to end: which answers are retried, with which delays and keys, and what
// happens to a batch that keeps failing, is rejected, or meets a configuration error.
import { describe, expect, it } from "vitest";
import { ATTEMPTS_PER_ROUND, LOG_EVENTS } from "../src/index.js";
import { FakeCollector, fail, hang, ok, reset } from "./fake-collector.js";
import { confidences, decision, emitNumbered, eventsNamed, proposal, useFakeCollector } from "./fixtures.js";

const fake = useFakeCollector();

const keysOf = (c: FakeCollector) => c.requests.map((request) => request.idempotencyKey);

describe("retries", () => {
  it.each([
    ["500", fail(500)],
    ["503", fail(503)],
    ["502 with an HTML page", { kind: "html", status: 502 } as const],
    ["408", fail(408)],
    ["429", fail(429)],
    ["a connection reset", reset],
    ["302 (not followed)", { kind: "redirect", status: 302, location: "/elsewhere" } as const],
  ])("retries after %s with the same idempotency key", async (_name, first) => {
    fake.collector.reply(first, first).otherwise(ok);
    const { emitter, lines } = fake.loggedEmitter();
    emitNumbered(emitter, 3);
    await emitter.flush();

    expect(fake.collector.requests).toHaveLength(3);
    expect(new Set(keysOf(fake.collector)).size).toBe(1);
    expect(fake.collector.requests.every((r) => r.events.length === 3)).toBe(true);
    expect(emitter.stats()).toMatchObject({ sent: 3, retries: 2, pending: 0, last_status: 200 });
    expect(eventsNamed(lines, LOG_EVENTS.retrying)).toHaveLength(2);
  });

  it("gives each batch its own key", async () => {
    const { emitter } = fake.loggedEmitter({ batch_size: 2 });
    emitNumbered(emitter, 6);
    await emitter.flush();
    expect(fake.collector.requests).toHaveLength(3);
    expect(new Set(keysOf(fake.collector)).size).toBe(3);
  });

  it("backs off exponentially with jitter, capped", async () => {
    fake.collector.reply(fail(503), fail(503), fail(503)).otherwise(ok);
    // random() = 0: the fixed half of "equal jitter" only, so the delays are exact.
    const { emitter, lines } = fake.loggedEmitter({}, { retryBaseMs: 2, retryCapMs: 6, random: () => 0 });
    emitNumbered(emitter, 1);
    await emitter.flush();
    expect(eventsNamed(lines, LOG_EVENTS.retrying).map((l) => l.delay_ms)).toEqual([1, 2, 3]);
    expect(emitter.stats().sent).toBe(1);
  });

  it("honours Retry-After instead of its own backoff", async () => {
    // A backoff of a minute would time the test out: only the server's "0" lets it finish.
    fake.collector.reply(fail(429, "0"), fail(503, "0")).otherwise(ok);
    const { emitter, lines } = fake.loggedEmitter({}, { retryBaseMs: 60_000, retryCapMs: 60_000 });
    emitNumbered(emitter, 1);
    await emitter.flush();
    expect(eventsNamed(lines, LOG_EVENTS.retrying)).toMatchObject([
      { reason: "http_429", delay_ms: 0, retry_after_ms: 0 },
      { reason: "http_503", delay_ms: 0, retry_after_ms: 0 },
    ]);
    expect(emitter.stats().sent).toBe(1);
  });

  it("caps a long Retry-After", async () => {
    fake.collector.reply(fail(503, "86400")).otherwise(ok);
    const { emitter, lines } = fake.loggedEmitter({}, { retryAfterCapMs: 5 });
    emitNumbered(emitter, 1);
    await emitter.flush();
    expect(eventsNamed(lines, LOG_EVENTS.retrying)).toMatchObject([{ delay_ms: 5, retry_after_ms: 5 }]);
  });

  it("retries a request that outlives http_timeout_seconds", async () => {
    fake.collector.reply(hang).otherwise(ok);
    const { emitter, lines } = fake.loggedEmitter({ http_timeout_seconds: 1 });
    emitNumbered(emitter, 2);
    await emitter.flush();
    expect(eventsNamed(lines, LOG_EVENTS.retrying)).toMatchObject([{ reason: "timeout" }]);
    expect(fake.collector.requests).toHaveLength(2);
    expect(new Set(keysOf(fake.collector)).size).toBe(1);
    expect(emitter.stats()).toMatchObject({ sent: 2, retries: 1 });
  });

  it("puts a batch that keeps failing back at the front, with its key, and resends it first", async () => {
    fake.collector.otherwise(fail(503));
    const { emitter, lines } = fake.loggedEmitter();
    emitNumbered(emitter, 3);
    await emitter.flush();

    expect(fake.collector.requests).toHaveLength(ATTEMPTS_PER_ROUND);
    expect(emitter.stats()).toMatchObject({
      sent: 0,
      pending: 3,
      retries: ATTEMPTS_PER_ROUND - 1,
      last_status: 503,
    });
    expect(eventsNamed(lines, LOG_EVENTS.retrying).at(-1)).toMatchObject({ requeued: true });
    const firstKey = fake.collector.requests[0]?.idempotencyKey;

    emitNumbered(emitter, 2, 3);
    fake.collector.otherwise(ok);
    await emitter.flush();
    const accepted = fake.collector.requests.slice(ATTEMPTS_PER_ROUND);
    expect(accepted.map((r) => r.idempotencyKey)[0]).toBe(firstKey);
    expect(accepted.map((r) => confidences(r.events))).toEqual([
      [0, 0.001, 0.002],
      [0.003, 0.004],
    ]);
    expect(accepted[1]?.idempotencyKey).not.toBe(firstKey);
    expect(emitter.stats()).toMatchObject({ sent: 5, pending: 0 });
  });

  it("keeps a requeued batch's key while overflow trims it", async () => {
    fake.collector.otherwise(fail(503));
    const { emitter } = fake.loggedEmitter({ max_pending: 4 });
    emitNumbered(emitter, 3);
    await emitter.flush();
    emitNumbered(emitter, 3, 3); // 6 > 4: the two oldest (of the requeued batch) go
    fake.collector.otherwise(ok);
    await emitter.flush();

    const resent = fake.collector.requests.slice(ATTEMPTS_PER_ROUND);
    expect(resent[0]?.idempotencyKey).toBe(fake.collector.requests[0]?.idempotencyKey);
    expect(resent.map((r) => confidences(r.events))).toEqual([[0.002], [0.003, 0.004, 0.005]]);
    expect(emitter.stats()).toMatchObject({ sent: 4, dropped_overflow: 2, pending: 0 });
  });
});

describe("redirects", () => {
  it("are never followed, so the key never reaches the Location", async () => {
    const elsewhere = await FakeCollector.start();
    try {
      const location = `${elsewhere.url}/trpc/events.ingest`;
      fake.collector.reply(
        { kind: "redirect", status: 307, location },
        { kind: "redirect", status: 301, location },
      );
      const { emitter } = fake.loggedEmitter();
      emitNumbered(emitter, 1);
      await emitter.flush();
      expect(elsewhere.requests).toHaveLength(0);
      expect(fake.collector.requests).toHaveLength(3);
      expect(emitter.stats()).toMatchObject({ sent: 1, retries: 2 });
    } finally {
      await elsewhere.close();
    }
  });
});

describe("rejected batches", () => {
  it.each([400, 413, 422])("%i drops the batch without retrying and logs the status", async (status) => {
    fake.collector.reply(fail(status)).otherwise(ok);
    const { emitter, lines } = fake.loggedEmitter({ batch_size: 2 });
    emitNumbered(emitter, 3);
    await emitter.flush();

    expect(fake.collector.requests.map((r) => r.events.length)).toEqual([2, 1]);
    expect(emitter.stats()).toMatchObject({ sent: 1, dropped_rejected: 2, retries: 0, pending: 0 });
    expect(eventsNamed(lines, LOG_EVENTS.dropped)).toMatchObject([
      { level: 50, status, event_count: 2, error: `played ${status}` },
    ]);
    expect(eventsNamed(lines, LOG_EVENTS.retrying)).toHaveLength(0);
  });
});

describe("configuration errors", () => {
  it.each([401, 403])("%i keeps the events, logs loudly once per change, and recovers", async (status) => {
    fake.collector.otherwise(fail(status));
    const { emitter, lines } = fake.loggedEmitter();
    emitNumbered(emitter, 2);
    await emitter.flush();
    await emitter.flush();
    await emitter.flush();

    // A configuration error is not retried within a round: one request per flush.
    expect(fake.collector.requests).toHaveLength(3);
    expect(emitter.stats()).toMatchObject({ sent: 0, pending: 2, dropped_rejected: 0, last_status: status });
    expect(eventsNamed(lines, LOG_EVENTS.configError)).toMatchObject([
      { level: 50, problem: `http:${status}`, status },
    ]);

    fake.collector.otherwise(ok);
    await emitter.flush();
    expect(emitter.stats()).toMatchObject({ sent: 2, pending: 0 });
    expect(new Set(keysOf(fake.collector)).size).toBe(1);
    expect(eventsNamed(lines, LOG_EVENTS.configRecovered)).toHaveLength(1);

    // A new failure after recovery is a new state: logged again.
    fake.collector.otherwise(fail(status));
    emitNumbered(emitter, 1);
    await emitter.flush();
    expect(eventsNamed(lines, LOG_EVENTS.configError)).toHaveLength(2);
  });

  it("warns at startup when there is no write key, and sends without one", async () => {
    fake.collector.otherwise(fail(401));
    const previous = process.env.SYNTHORG_ANALYTICS_API_KEY;
    delete process.env.SYNTHORG_ANALYTICS_API_KEY;
    try {
      const { emitter, lines } = fake.loggedEmitter({}, { apiKey: undefined });
      emitter.emitDecision(decision(), proposal());
      await emitter.flush();
      expect(eventsNamed(lines, LOG_EVENTS.configError).map((l) => l.problem)).toEqual([
        "missing_api_key",
        "http:401",
      ]);
      expect(fake.collector.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      if (previous !== undefined) process.env.SYNTHORG_ANALYTICS_API_KEY = previous;
    }
  });

  it("reads the key from SYNTHORG_ANALYTICS_API_KEY", async () => {
    const previous = process.env.SYNTHORG_ANALYTICS_API_KEY;
    process.env.SYNTHORG_ANALYTICS_API_KEY = "sak_from_env";
    try {
      const { emitter } = fake.loggedEmitter({}, { apiKey: undefined });
      emitter.emitDecision(decision(), proposal());
      await emitter.flush();
      expect(fake.collector.requests[0]?.headers.authorization).toBe("Bearer sak_from_env");
    } finally {
      if (previous === undefined) delete process.env.SYNTHORG_ANALYTICS_API_KEY;
      else process.env.SYNTHORG_ANALYTICS_API_KEY = previous;
    }
  });
});
