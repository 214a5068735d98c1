// Each wire-format rule over REST and over tRPC: a 400 naming the event index and field, and a batch
// with one bad event stores nothing. Plus the batch-size and body-size limits.
import { DEFAULT_BODY_LIMIT_BYTES, MAX_BATCH_EVENTS, tomorrowUtc } from "@synthorg/schema";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleDecisionEvent, sampleRolloutEvent } from "@synthorg/schema/testing";
import { batch, deploymentId } from "./fixtures.js";
import { auth, getJson, postJson, startTestCollector, trpcClient, type TestCollector } from "./helpers.js";

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector({ rate_limit_per_minute: 100_000 });
});
afterAll(() => collector.close());

const without = (event: Record<string, unknown>, key: string) => {
  const copy = { ...event };
  delete copy[key];
  return copy;
};

/** [what, the bad event, the issue path]: one per rule of the wire format. */
const RULES: [string, Record<string, unknown>, string][] = [
  ['schema_version other than "1"', sampleDecisionEvent({ schema_version: "2" }), "events[1].schema_version"],
  ["schema_version as a number", sampleDecisionEvent({ schema_version: 1 }), "events[1].schema_version"],
  [
    "an uppercase deployment id",
    sampleDecisionEvent({ deployment_id: "A".repeat(64) }),
    "events[1].deployment_id",
  ],
  [
    "a short deployment id",
    sampleDecisionEvent({ deployment_id: "a".repeat(63) }),
    "events[1].deployment_id",
  ],
  ["a missing deployment id", without(sampleDecisionEvent(), "deployment_id"), "events[1].deployment_id"],
  ["an unknown event type", sampleDecisionEvent({ event_type: "heartbeat" }), "events[1].event_type"],
  ["a date with a time", sampleDecisionEvent({ timestamp: "2026-04-16T10:00:00Z" }), "events[1].timestamp"],
  ["a date that does not exist", sampleDecisionEvent({ timestamp: "2026-02-30" }), "events[1].timestamp"],
  ["a date before 2000", sampleDecisionEvent({ timestamp: "1999-12-31" }), "events[1].timestamp"],
  ["a date after tomorrow", sampleDecisionEvent({ timestamp: "2999-01-01" }), "events[1].timestamp"],
  ["an unknown altitude", sampleDecisionEvent({ altitude: "org_chart" }), "events[1].altitude"],
  ["a rule name with capitals", sampleDecisionEvent({ source_rule: "MyRule" }), "events[1].source_rule"],
  ["a 65-character rule name", sampleDecisionEvent({ source_rule: "a".repeat(65) }), "events[1].source_rule"],
  ["an unknown decision", sampleDecisionEvent({ decision: "maybe" }), "events[1].decision"],
  ["a decision event without decision", sampleDecisionEvent({ decision: null }), "events[1].decision"],
  ["confidence above 1", sampleDecisionEvent({ confidence: 1.01 }), "events[1].confidence"],
  ["negative confidence", sampleDecisionEvent({ confidence: -0.5 }), "events[1].confidence"],
  ["confidence as a string", sampleDecisionEvent({ confidence: "0.5" }), "events[1].confidence"],
  [
    "rollout fields on a decision",
    sampleDecisionEvent({ observation_hours: 3 }),
    "events[1].observation_hours",
  ],
  [
    "an outcome on a decision",
    sampleDecisionEvent({ rollout_outcome: "success" }),
    "events[1].rollout_outcome",
  ],
  ["a rollout without outcome", sampleRolloutEvent({ rollout_outcome: null }), "events[1].rollout_outcome"],
  ["an unknown outcome", sampleRolloutEvent({ rollout_outcome: "meh" }), "events[1].rollout_outcome"],
  ["an unknown verdict", sampleRolloutEvent({ regression_verdict: "bad" }), "events[1].regression_verdict"],
  ["a decision on a rollout", sampleRolloutEvent({ decision: "approved" }), "events[1].decision"],
  ["confidence on a rollout", sampleRolloutEvent({ confidence: 0.5 }), "events[1].confidence"],
  [
    "negative observation hours",
    sampleRolloutEvent({ observation_hours: -1 }),
    "events[1].observation_hours",
  ],
  [
    "too many observation hours",
    sampleRolloutEvent({ observation_hours: 100_001 }),
    "events[1].observation_hours",
  ],
  [
    "repeated enabled altitudes",
    sampleDecisionEvent({ enabled_altitudes: ["architecture", "architecture"] }),
    "events[1].enabled_altitudes",
  ],
  [
    "an unknown enabled altitude",
    sampleDecisionEvent({ enabled_altitudes: ["org_chart"] }),
    "events[1].enabled_altitudes[0]",
  ],
  ["a blank industry tag", sampleDecisionEvent({ industry_tag: "   " }), "events[1].industry_tag"],
  [
    "a 101-character industry tag",
    sampleDecisionEvent({ industry_tag: "x".repeat(101) }),
    "events[1].industry_tag",
  ],
  ["an empty sdk version", sampleDecisionEvent({ sdk_version: "" }), "events[1].sdk_version"],
  [
    "a 65-character sdk version",
    sampleDecisionEvent({ sdk_version: "v".repeat(65) }),
    "events[1].sdk_version",
  ],
  ["a missing sdk version", without(sampleDecisionEvent(), "sdk_version"), "events[1].sdk_version"],
  ["an unknown key", sampleDecisionEvent({ proposal_id: "p-1" }), "events[1].proposal_id"],
  ["a free-text reason", sampleDecisionEvent({ decision_reason: "because" }), "events[1].decision_reason"],
];

async function storedEvents(): Promise<number> {
  const response = await getJson(`${collector.baseUrl}/stats`, auth(collector.keys.read));
  return (response.body as { store: { size: number } }).store.size;
}

describe("wire format over REST", () => {
  it.each(RULES)("rejects %s, naming the field, and stores nothing", async (_name, bad, path) => {
    const before = await storedEvents();
    const response = await postJson(
      `${collector.baseUrl}/events`,
      batch(sampleDecisionEvent(), bad, sampleRolloutEvent()),
      auth(collector.keys.write),
    );
    expect(response.status).toBe(400);
    const body = response.body as { error: { code: string; message: string; issues: { path: string }[] } };
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.issues.map((issue) => issue.path)).toContain(path);
    expect(body.error.message).toContain("events[1]");
    expect(await storedEvents()).toBe(before);
  });

  it("accepts the Python emitter's shape (every field, nulls included) and the omissions the wire allows", async () => {
    const minimal = without(
      without(
        sampleDecisionEvent({ source_rule: null, industry_tag: null, confidence: null }),
        "schema_version",
      ),
      "enabled_altitudes",
    );
    const response = await postJson(
      `${collector.baseUrl}/events`,
      batch(
        sampleDecisionEvent(),
        sampleRolloutEvent({ observation_hours: null, regression_verdict: null }),
        minimal,
        sampleDecisionEvent({ timestamp: tomorrowUtc() }),
      ),
      auth(collector.keys.write),
    );
    expect(response).toMatchObject({ status: 200, body: { ingested: 4, duplicate: false } });
  });

  it("rejects 1001 events, naming the events array", async () => {
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => sampleDecisionEvent());
    const response = await postJson(
      `${collector.baseUrl}/events`,
      batch(...events),
      auth(collector.keys.write),
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { issues: [{ path: "events" }] } });
  });

  it("accepts exactly 1000 events", async () => {
    const events = Array.from({ length: MAX_BATCH_EVENTS }, () => sampleDecisionEvent());
    const response = await postJson(
      `${collector.baseUrl}/events`,
      batch(...events),
      auth(collector.keys.write),
    );
    expect(response).toMatchObject({ status: 200, body: { ingested: 1000 } });
  });

  it("rejects a body over 2 MiB with 413 and accepts one just under", async () => {
    const padding = (size: number) => {
      const head = JSON.stringify(batch(sampleDecisionEvent()));
      return head.slice(0, -1) + " ".repeat(size - head.length) + "}";
    };
    const over = padding(DEFAULT_BODY_LIMIT_BYTES + 1);
    expect(Buffer.byteLength(over)).toBe(DEFAULT_BODY_LIMIT_BYTES + 1);
    const rest = await postJson(`${collector.baseUrl}/events`, over, auth(collector.keys.write));
    expect(rest).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    const trpc = await postJson(`${collector.baseUrl}/trpc/events.ingest`, over, auth(collector.keys.write));
    expect(trpc.status).toBe(413);
    expect(trpc.body).toMatchObject({ error: { json: { data: { code: "PAYLOAD_TOO_LARGE" } } } });
    const under = padding(DEFAULT_BODY_LIMIT_BYTES);
    const accepted = await postJson(`${collector.baseUrl}/events`, under, auth(collector.keys.write));
    expect(accepted.status).toBe(200);
  });

  it("rejects a body that is not a batch", async () => {
    for (const [body, path] of [
      [{ events: [], extra: 1 }, "extra"],
      [{}, "events"],
      [[], "(root)"],
      [{ events: "nope" }, "events"],
    ] as const) {
      const response = await postJson(`${collector.baseUrl}/events`, body, auth(collector.keys.write));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { issues: [{ path }] } });
    }
  });

  it("rejects malformed JSON with 400 and other content types with 415", async () => {
    const broken = await postJson(`${collector.baseUrl}/events`, '{"events": [', auth(collector.keys.write));
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    const response = await fetch(`${collector.baseUrl}/events`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...auth(collector.keys.write) },
      body: JSON.stringify(batch(sampleDecisionEvent())),
    });
    expect(response.status).toBe(415);
  });

  it("rejects a malformed Idempotency-Key", async () => {
    for (const key of ["has space", "x".repeat(129), "semi;colon"]) {
      const response = await postJson(
        `${collector.baseUrl}/events`,
        batch(sampleDecisionEvent()),
        auth(collector.keys.write, { "idempotency-key": key }),
      );
      expect(response).toMatchObject({
        status: 400,
        body: { error: { issues: [{ path: "Idempotency-Key" }] } },
      });
    }
  });

  it("rejects a bad min_deployments query", async () => {
    for (const value of ["0", "-1", "two", "1.5"]) {
      const response = await getJson(
        `${collector.baseUrl}/patterns?min_deployments=${value}`,
        auth(collector.keys.read),
      );
      expect(response).toMatchObject({
        status: 400,
        body: { error: { issues: [{ path: "min_deployments" }] } },
      });
    }
  });
});

describe("wire format over tRPC", () => {
  it.each(RULES)("rejects %s, naming the field, and stores nothing", async (_name, bad, path) => {
    const before = await storedEvents();
    const client = trpcClient(collector, collector.keys.write);
    const error = await client.events.ingest
      .mutate(batch(sampleDecisionEvent(), bad, sampleRolloutEvent()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<never>).data as unknown as {
      code: string;
      httpStatus: number;
      issues: { path: string }[];
    };
    expect(data.code).toBe("BAD_REQUEST");
    expect(data.httpStatus).toBe(400);
    expect(data.issues.map((issue) => issue.path)).toContain(path);
    expect(JSON.stringify(data)).not.toContain("stack");
    expect(await storedEvents()).toBe(before);
  });

  it("rejects 1001 events and a malformed Idempotency-Key", async () => {
    const client = trpcClient(collector, collector.keys.write);
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => sampleDecisionEvent());
    await expect(client.events.ingest.mutate(batch(...events))).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", issues: [{ path: "events" }] },
    });
    const keyed = trpcClient(collector, collector.keys.write, { "idempotency-key": "no spaces allowed" });
    await expect(keyed.events.ingest.mutate(batch(sampleDecisionEvent()))).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", issues: [{ path: "Idempotency-Key" }] },
    });
  });

  it("rejects a bad patterns input", async () => {
    const client = trpcClient(collector, collector.keys.read);
    await expect(client.patterns.list.query({ minDeployments: 0 })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", issues: [{ path: "minDeployments" }] },
    });
  });
});

describe("unknown rule names", () => {
  it("stores them as custom and counts them", async () => {
    const writer = trpcClient(collector, collector.keys.both);
    const ids = [1, 2, 3].map((n) => deploymentId(`masked-${n}`));
    const metrics = async () => (await getJson(`${collector.url}/metrics`)).body as string;
    const maskedBefore = Number(
      /synthorg_collector_rules_masked_total (\d+)/.exec(await metrics())?.[1] ?? 0,
    );
    await writer.events.ingest.mutate(
      batch(
        ...ids.map((id) =>
          sampleDecisionEvent({
            deployment_id: id,
            source_rule: "my_secret_rule",
            altitude: "tool_creation",
          }),
        ),
      ),
    );
    const { patterns } = await writer.patterns.list.query();
    const tool = patterns.filter((pattern) => pattern.altitude === "tool_creation");
    expect(tool.map((pattern) => pattern.source_rule)).toEqual(["custom"]);
    expect(JSON.stringify(patterns)).not.toContain("my_secret_rule");
    const maskedAfter = Number(/synthorg_collector_rules_masked_total (\d+)/.exec(await metrics())?.[1] ?? 0);
    expect(maskedAfter - maskedBefore).toBe(3);
  });
});
