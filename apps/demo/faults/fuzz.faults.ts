// Abuse of both ingest transports of a real collector on 127.0.0.1, over one keep-alive connection:
// random JSON and bytes, near-valid batches, huge strings, deep nesting, wrong content types, invalid
// UTF-8, bodies over the limit. Never a 5xx, never a stack trace, never a crash; a rejected request
// leaves the store exactly as it was, and an accepted one adds exactly what it says.
import { startCollector, type RunningCollector, type AnalyticsStore } from "@synthorg/collector";
import fc from "fast-check";
import { pino } from "pino";
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectorConfig, fleetKeys, recordFigures } from "./scenario.js";
import {
  deepNestingCase,
  hugeStringCase,
  invalidUtf8Case,
  nearValidCase,
  oversizeCase,
  randomJsonCase,
  wrongContentTypeCase,
  type IngestCase,
} from "./wire-arbitraries.js";

const TRANSPORTS = {
  rest: "/api/meta/analytics/events",
  trpc: "/api/meta/analytics/trpc/events.ingest",
} as const;
type Transport = keyof typeof TRANSPORTS;

/** Cases per transport and family: over 10 000 requests in all, most of them small. */
const FAMILIES: readonly (readonly [string, fc.Arbitrary<IngestCase>, number])[] = [
  ["near-valid batches", nearValidCase, 2_500],
  ["random JSON, text and bytes", randomJsonCase, 1_500],
  ["wrong content types", wrongContentTypeCase, 500],
  ["invalid UTF-8", invalidUtf8Case, 400],
  ["deep nesting", deepNestingCase, 60],
  ["huge strings", hugeStringCase, 40],
  ["bodies over 2 MiB", oversizeCase, 16],
];

/** Limits that would otherwise turn thousands of requests from one key into 429s and 403s. */
const UNLIMITED = 1_000_000_000;
/** A stack frame (`at fn (file:line:col)`) or a source path in a response body. */
const STACK_TRACE = /\bat .+:\d+:\d+\)?$|node_modules|\.ts:\d+/m;

let collector: RunningCollector;
let client: Client;
const keys = fleetKeys(1);
const tally: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  collector = await startCollector({
    config: collectorConfig({
      api_keys: [...keys.entries],
      rate_limit_per_minute: UNLIMITED,
      max_deployments_per_key: UNLIMITED,
    }),
    port: 0,
    logger: pino({ level: "silent" }),
    defaultMetrics: false,
  });
  client = new Client(collector.url, { keepAliveTimeout: 30_000 });
});

afterAll(async () => {
  await client?.close();
  await collector?.close();
  recordFigures("fuzz", {
    cases: tally,
    total: Object.values(tally)
      .flatMap((statuses) => Object.values(statuses))
      .reduce((a, b) => a + b, 0),
  });
});

async function snapshot(store: AnalyticsStore): Promise<string> {
  return JSON.stringify([await store.stats(), await store.groupAggregates()]);
}

/** `ingested` from either transport's success body (REST: as is; tRPC: result.data.json). */
function ingestedCount(transport: Transport, body: unknown): unknown {
  if (transport === "rest") return (body as { ingested?: unknown }).ingested;
  const data = (body as { result?: { data?: { json?: { ingested?: unknown } } } }).result?.data;
  return data?.json?.ingested;
}

async function send(transport: Transport, c: IngestCase) {
  const headers: Record<string, string> = { authorization: `Bearer ${keys.write[0]}` };
  if (c.contentType !== null) headers["content-type"] = c.contentType;
  if (c.contentEncoding !== undefined) headers["content-encoding"] = c.contentEncoding;
  const response = await client.request({
    method: "POST",
    path: TRANSPORTS[transport],
    headers,
    body: c.body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

async function check(transport: Transport, c: IngestCase): Promise<void> {
  const store = collector.store;
  const before = await snapshot(store);
  const sizeBefore = (await store.stats()).size;
  const { status, text } = await send(transport, c);
  const why = c.expect.kind === "reject" && c.expect.why !== undefined ? ` (${c.expect.why})` : "";
  const where = `${transport} ${c.family} → ${status} ${text.slice(0, 300)}${why}`;

  expect(status, where).toBeLessThan(500);
  expect(STACK_TRACE.test(text), where).toBe(false);
  const family = (tally[`${transport} ${c.family}`] ??= {});
  family[String(status)] = (family[String(status)] ?? 0) + 1;

  const expectation = c.expect;
  const accepted = status >= 200 && status < 300;
  if (expectation.kind === "accept") {
    expect(status, where).toBe(200);
    expect(ingestedCount(transport, JSON.parse(text)), where).toBe(expectation.events);
  } else if (expectation.kind === "reject") {
    expect(status, where).toBeGreaterThanOrEqual(400);
    if (expectation.statuses !== undefined) expect(expectation.statuses, where).toContain(status);
  }
  if (accepted) {
    const ingested = ingestedCount(transport, JSON.parse(text));
    expect((await store.stats()).size, where).toBe(sizeBefore + Number(ingested));
  } else {
    expect(await snapshot(store), where).toBe(before);
  }
}

describe.each(Object.keys(TRANSPORTS) as Transport[])("fuzzing %s ingest", (transport) => {
  it.each(FAMILIES)("%s", async (_name, arbitrary, numRuns) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, (c) => check(transport, c)),
      { numRuns },
    );
  });
});

describe("after the fuzzing", () => {
  it("the collector is alive and ready", async () => {
    const health = await client.request({ method: "GET", path: "/healthz" });
    await health.body.dump();
    expect(health.statusCode).toBe(200);
    const ready = await client.request({ method: "GET", path: "/readyz" });
    await ready.body.dump();
    expect(ready.statusCode).toBe(200);
  });
});
