import { describe, expect, it } from "vitest";
import { MAX_BATCH_EVENTS, eventBatchSchema, parseEventBatch, tomorrowUtc } from "../src/index.js";
import { decisionEvent, rolloutEvent } from "./fixtures.js";

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
    expect(parseEventBatch({ events: [decisionEvent(), rolloutEvent()] }).ok).toBe(true);
  });

  it("fills schema_version and enabled_altitudes when omitted", () => {
    const event = decisionEvent();
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
    const full = Array.from({ length: MAX_BATCH_EVENTS }, () => decisionEvent());
    expect(parseEventBatch({ events: full }).ok).toBe(true);
  });

  it("accepts the boundary values", () => {
    for (const event of [
      decisionEvent({ confidence: 0 }),
      decisionEvent({ confidence: 1 }),
      decisionEvent({ confidence: null, source_rule: null, industry_tag: null }),
      decisionEvent({ timestamp: "2000-01-01" }),
      decisionEvent({ timestamp: tomorrowUtc() }),
      decisionEvent({ timestamp: "2024-02-29" }),
      decisionEvent({ industry_tag: "x".repeat(100), sdk_version: "v".repeat(64) }),
      decisionEvent({ source_rule: "custom" }),
      // Lengths count code points, as zod 4 does: 64 emoji are 128 UTF-16 units but 64 characters.
      decisionEvent({ sdk_version: "😀".repeat(64), industry_tag: "😀".repeat(100) }),
      decisionEvent({ industry_tag: "santé · 医療 · Ünïcödé" }),
      decisionEvent({ source_rule: "a".repeat(64) }),
      rolloutEvent({ observation_hours: 0 }),
      rolloutEvent({ observation_hours: 100_000 }),
      rolloutEvent({ observation_hours: null, regression_verdict: null }),
      rolloutEvent({ regression_verdict: "insufficient_data", rollout_outcome: "inconclusive" }),
    ]) {
      expect(verdict(event)).toMatchObject({ ok: true });
    }
  });
});

describe("wire format v1: rejected, naming the event index and field", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a date that does not exist", decisionEvent({ timestamp: "2026-02-30" }), "events[0].timestamp"],
    ["a date without zero padding", decisionEvent({ timestamp: "2026-4-16" }), "events[0].timestamp"],
    ["a date with a time", decisionEvent({ timestamp: "2026-04-16T10:00:00Z" }), "events[0].timestamp"],
    ["a date before 2000", decisionEvent({ timestamp: "1999-12-31" }), "events[0].timestamp"],
    ["a date after tomorrow", decisionEvent({ timestamp: "2999-01-01" }), "events[0].timestamp"],
    ["non-ASCII digits in a date", decisionEvent({ timestamp: "٢٠٢٦-04-16" }), "events[0].timestamp"],
    ["Feb 29 in a common year", decisionEvent({ timestamp: "2025-02-29" }), "events[0].timestamp"],
    ['schema_version "2"', decisionEvent({ schema_version: "2" }), "events[0].schema_version"],
    ["schema_version as the number 1", decisionEvent({ schema_version: 1 }), "events[0].schema_version"],
    ["an extra key", decisionEvent({ proposal_id: "p-1" }), "events[0].proposal_id"],
    ["NaN confidence", decisionEvent({ confidence: NaN }), "events[0].confidence"],
    [
      "Infinity observation hours",
      rolloutEvent({ observation_hours: Infinity }),
      "events[0].observation_hours",
    ],
    ["confidence above 1", decisionEvent({ confidence: 1.01 }), "events[0].confidence"],
    ["negative confidence", decisionEvent({ confidence: -0.01 }), "events[0].confidence"],
    ["confidence on a rollout", rolloutEvent({ confidence: 0.5 }), "events[0].confidence"],
    ["decision on a rollout", rolloutEvent({ decision: "approved" }), "events[0].decision"],
    ["a decision without decision", decisionEvent({ decision: null }), "events[0].decision"],
    ["a rollout without outcome", rolloutEvent({ rollout_outcome: null }), "events[0].rollout_outcome"],
    ["rollout fields on a decision", decisionEvent({ observation_hours: 3 }), "events[0].observation_hours"],
    [
      "a 101-character industry tag",
      decisionEvent({ industry_tag: "x".repeat(101) }),
      "events[0].industry_tag",
    ],
    ["a blank industry tag", decisionEvent({ industry_tag: "   " }), "events[0].industry_tag"],
    ["an empty industry tag", decisionEvent({ industry_tag: "" }), "events[0].industry_tag"],
    [
      "an uppercase deployment id",
      decisionEvent({ deployment_id: "A".repeat(64) }),
      "events[0].deployment_id",
    ],
    ["a short deployment id", decisionEvent({ deployment_id: "a".repeat(63) }), "events[0].deployment_id"],
    [
      "a UUID deployment id",
      decisionEvent({ deployment_id: "0b7f7c1e-1d2c-4a3b-9c8d-7e6f5a4b3c2d" }),
      "events[0].deployment_id",
    ],
    ["an unknown altitude", decisionEvent({ altitude: "org_chart" }), "events[0].altitude"],
    ["an unknown event type", decisionEvent({ event_type: "heartbeat" }), "events[0].event_type"],
    ["a rule name with capitals", decisionEvent({ source_rule: "MyRule" }), "events[0].source_rule"],
    ["a 65-character rule name", decisionEvent({ source_rule: "a".repeat(65) }), "events[0].source_rule"],
    [
      "repeated altitudes",
      decisionEvent({ enabled_altitudes: ["architecture", "architecture"] }),
      "events[0].enabled_altitudes",
    ],
    ["a blank sdk version", decisionEvent({ sdk_version: " " }), "events[0].sdk_version"],
    ["a 65-character sdk version", decisionEvent({ sdk_version: "v".repeat(65) }), "events[0].sdk_version"],
    ["a 65-emoji sdk version", decisionEvent({ sdk_version: "😀".repeat(65) }), "events[0].sdk_version"],
    ["a NUL in the industry tag", decisionEvent({ industry_tag: "tech\u0000" }), "events[0].industry_tag"],
    [
      "a control character in the sdk version",
      decisionEvent({ sdk_version: "2.4\u001b" }),
      "events[0].sdk_version",
    ],
    [
      "a lone surrogate in the industry tag",
      decisionEvent({ industry_tag: "tech\ud800" }),
      "events[0].industry_tag",
    ],
    [
      "U+FFFD (a decoded invalid UTF-8 byte)",
      decisionEvent({ industry_tag: "tech\ufffd" }),
      "events[0].industry_tag",
    ],
    ["a missing sdk version", decisionEvent({ sdk_version: undefined }), "events[0].sdk_version"],
  ];
  it.each(cases)("rejects %s", (_name, event, path) => expectRejected(event, path));

  it("rejects 1001 events, naming the events array", () => {
    const result = parseEventBatch({
      events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => decisionEvent()),
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
      events: [decisionEvent(), rolloutEvent(), decisionEvent({ confidence: 2 })],
    });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: "events[2].confidence", message: expect.stringMatching(/<=1|1/) as string }],
    });
  });
});
