import { describe, expect, it } from "vitest";
import { MAX_BATCH_EVENTS, eventBatchSchema, parseEventBatch, tomorrowUtc } from "../src/index.js";
import { sampleDecisionEvent, sampleRolloutEvent } from "../src/testing.js";

function verdict(event: Record<string, unknown>) {
  return parseEventBatch({ events: [event] });
}

function expectRejected(event: Record<string, unknown>, path: string) {
  const result = verdict(event);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain(path);
  // zod agrees: the fast path never accepts what the contract rejects.
  expect(eventBatchSchema.safeParse({ events: [event] }).success).toBe(false);
}

describe("wire format v1: accepted", () => {
  it("accepts a decision and a rollout with every field present (the Python emitter's shape)", () => {
    expect(parseEventBatch({ events: [sampleDecisionEvent(), sampleRolloutEvent()] }).ok).toBe(true);
  });

  it("fills schema_version and enabled_altitudes when omitted", () => {
    const event = sampleDecisionEvent();
    delete event.schema_version;
    delete event.enabled_altitudes;
    const result = verdict(event);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.batch.events[0]?.schema_version).toBe("1");
      expect(result.batch.events[0]?.enabled_altitudes).toEqual([]);
    }
  });

  it("accepts an empty batch and exactly 1000 events", () => {
    expect(parseEventBatch({ events: [] }).ok).toBe(true);
    const full = Array.from({ length: MAX_BATCH_EVENTS }, () => sampleDecisionEvent());
    expect(parseEventBatch({ events: full }).ok).toBe(true);
  });

  it("accepts the boundary values", () => {
    for (const event of [
      sampleDecisionEvent({ confidence: 0 }),
      sampleDecisionEvent({ confidence: 1 }),
      sampleDecisionEvent({ confidence: null, source_rule: null, industry_tag: null }),
      sampleDecisionEvent({ timestamp: "2000-01-01" }),
      sampleDecisionEvent({ timestamp: tomorrowUtc() }),
      sampleDecisionEvent({ timestamp: "2024-02-29" }),
      sampleDecisionEvent({ industry_tag: "x".repeat(100), sdk_version: "v".repeat(64) }),
      sampleDecisionEvent({ source_rule: "custom" }),
      // Lengths count code points, as zod 4 does: 64 emoji are 128 UTF-16 units but 64 characters.
      sampleDecisionEvent({ sdk_version: "😀".repeat(64), industry_tag: "😀".repeat(100) }),
      sampleDecisionEvent({ industry_tag: "santé · 医療 · Ünïcödé" }),
      sampleDecisionEvent({ source_rule: "a".repeat(64) }),
      sampleRolloutEvent({ observation_hours: 0 }),
      sampleRolloutEvent({ observation_hours: 100_000 }),
      sampleRolloutEvent({ observation_hours: null, regression_verdict: null }),
      sampleRolloutEvent({ regression_verdict: "insufficient_data", rollout_outcome: "inconclusive" }),
    ]) {
      expect(verdict(event)).toMatchObject({ ok: true });
    }
  });
});

describe("wire format v1: rejected, naming the event index and field", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a date that does not exist", sampleDecisionEvent({ timestamp: "2026-02-30" }), "events[0].timestamp"],
    ["a date without zero padding", sampleDecisionEvent({ timestamp: "2026-4-16" }), "events[0].timestamp"],
    ["a date with a time", sampleDecisionEvent({ timestamp: "2026-04-16T10:00:00Z" }), "events[0].timestamp"],
    ["a date before 2000", sampleDecisionEvent({ timestamp: "1999-12-31" }), "events[0].timestamp"],
    ["a date after tomorrow", sampleDecisionEvent({ timestamp: "2999-01-01" }), "events[0].timestamp"],
    ["non-ASCII digits in a date", sampleDecisionEvent({ timestamp: "٢٠٢٦-04-16" }), "events[0].timestamp"],
    ["Feb 29 in a common year", sampleDecisionEvent({ timestamp: "2025-02-29" }), "events[0].timestamp"],
    ['schema_version "2"', sampleDecisionEvent({ schema_version: "2" }), "events[0].schema_version"],
    [
      "schema_version as the number 1",
      sampleDecisionEvent({ schema_version: 1 }),
      "events[0].schema_version",
    ],
    ["an extra key", sampleDecisionEvent({ proposal_id: "p-1" }), "events[0].proposal_id"],
    ["NaN confidence", sampleDecisionEvent({ confidence: NaN }), "events[0].confidence"],
    [
      "Infinity observation hours",
      sampleRolloutEvent({ observation_hours: Infinity }),
      "events[0].observation_hours",
    ],
    ["confidence above 1", sampleDecisionEvent({ confidence: 1.01 }), "events[0].confidence"],
    ["negative confidence", sampleDecisionEvent({ confidence: -0.01 }), "events[0].confidence"],
    ["confidence on a rollout", sampleRolloutEvent({ confidence: 0.5 }), "events[0].confidence"],
    ["decision on a rollout", sampleRolloutEvent({ decision: "approved" }), "events[0].decision"],
    ["a decision without decision", sampleDecisionEvent({ decision: null }), "events[0].decision"],
    ["a rollout without outcome", sampleRolloutEvent({ rollout_outcome: null }), "events[0].rollout_outcome"],
    [
      "rollout fields on a decision",
      sampleDecisionEvent({ observation_hours: 3 }),
      "events[0].observation_hours",
    ],
    [
      "a 101-character industry tag",
      sampleDecisionEvent({ industry_tag: "x".repeat(101) }),
      "events[0].industry_tag",
    ],
    ["a blank industry tag", sampleDecisionEvent({ industry_tag: "   " }), "events[0].industry_tag"],
    ["an empty industry tag", sampleDecisionEvent({ industry_tag: "" }), "events[0].industry_tag"],
    [
      "an uppercase deployment id",
      sampleDecisionEvent({ deployment_id: "A".repeat(64) }),
      "events[0].deployment_id",
    ],
    [
      "a short deployment id",
      sampleDecisionEvent({ deployment_id: "a".repeat(63) }),
      "events[0].deployment_id",
    ],
    [
      "a UUID deployment id",
      sampleDecisionEvent({ deployment_id: "0b7f7c1e-1d2c-4a3b-9c8d-7e6f5a4b3c2d" }),
      "events[0].deployment_id",
    ],
    ["an unknown altitude", sampleDecisionEvent({ altitude: "org_chart" }), "events[0].altitude"],
    ["an unknown event type", sampleDecisionEvent({ event_type: "heartbeat" }), "events[0].event_type"],
    ["a rule name with capitals", sampleDecisionEvent({ source_rule: "MyRule" }), "events[0].source_rule"],
    [
      "a 65-character rule name",
      sampleDecisionEvent({ source_rule: "a".repeat(65) }),
      "events[0].source_rule",
    ],
    [
      "repeated altitudes",
      sampleDecisionEvent({ enabled_altitudes: ["architecture", "architecture"] }),
      "events[0].enabled_altitudes",
    ],
    ["a blank sdk version", sampleDecisionEvent({ sdk_version: " " }), "events[0].sdk_version"],
    [
      "a 65-character sdk version",
      sampleDecisionEvent({ sdk_version: "v".repeat(65) }),
      "events[0].sdk_version",
    ],
    [
      "a 65-emoji sdk version",
      sampleDecisionEvent({ sdk_version: "😀".repeat(65) }),
      "events[0].sdk_version",
    ],
    [
      "a NUL in the industry tag",
      sampleDecisionEvent({ industry_tag: "tech\u0000" }),
      "events[0].industry_tag",
    ],
    [
      "a control character in the sdk version",
      sampleDecisionEvent({ sdk_version: "2.4\u001b" }),
      "events[0].sdk_version",
    ],
    [
      "a lone surrogate in the industry tag",
      sampleDecisionEvent({ industry_tag: "tech\ud800" }),
      "events[0].industry_tag",
    ],
    [
      "U+FFFD (a decoded invalid UTF-8 byte)",
      sampleDecisionEvent({ industry_tag: "tech\ufffd" }),
      "events[0].industry_tag",
    ],
    ["a missing sdk version", sampleDecisionEvent({ sdk_version: undefined }), "events[0].sdk_version"],
  ];
  it.each(cases)("rejects %s", (_name, event, path) => expectRejected(event, path));

  it("rejects 1001 events, naming the events array", () => {
    const result = parseEventBatch({
      events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => sampleDecisionEvent()),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe("events");
  });

  it("rejects an extra key on the batch and a batch that is not an object", () => {
    expect(parseEventBatch({ events: [], extra: 1 })).toMatchObject({
      ok: false,
      issues: [{ path: "extra" }],
    });
    expect(parseEventBatch([]).ok).toBe(false);
    expect(parseEventBatch(null).ok).toBe(false);
    expect(parseEventBatch({}).ok).toBe(false);
  });

  it("names the index of the one bad event in a batch, and rejects the batch whole", () => {
    const result = parseEventBatch({
      events: [sampleDecisionEvent(), sampleRolloutEvent(), sampleDecisionEvent({ confidence: 2 })],
    });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: "events[2].confidence", message: expect.stringMatching(/<=1|1/) as string }],
    });
  });
});
