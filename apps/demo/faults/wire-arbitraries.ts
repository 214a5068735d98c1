// fast-check arbitraries for abusing the ingest endpoints: valid batches, near-valid ones (one thing
// wrong), random JSON and bytes, huge strings, deep nesting, wrong content types, invalid UTF-8 and
// bodies over the limit. Each case carries what the collector must answer, decided by the schema's own
// validator (parseEventBatch) over exactly the bytes sent, never by a hand-written expectation.
import { gzipSync } from "node:zlib";
import {
  ALTITUDES,
  BUILTIN_RULES,
  DECISIONS,
  DEFAULT_BODY_LIMIT_BYTES,
  EVENT_KEYS,
  MAX_BATCH_EVENTS,
  REGRESSION_VERDICTS,
  ROLLOUT_OUTCOMES,
  parseEventBatch,
  tomorrowUtc,
} from "@synthorg/schema";
import fc from "fast-check";

/** What the collector must do with a case. */
export type Expectation =
  /** Store exactly these many events and say so. */
  | { readonly kind: "accept"; readonly events: number }
  /** Answer 4xx and store nothing; `why` explains a rule that is not the schema's. */
  | { readonly kind: "reject"; readonly statuses?: readonly number[]; readonly why?: string }
  /** Either, but consistently: a 2xx stores exactly what it reports, anything else stores nothing. */
  | { readonly kind: "either" };

export interface IngestCase {
  readonly family: string;
  readonly body: Buffer;
  /** null: send no Content-Type header at all. */
  readonly contentType: string | null;
  readonly contentEncoding?: string;
  readonly expect: Expectation;
}

export const JSON_CONTENT_TYPE = "application/json";
export const TOO_LARGE = 413;

const day = fc
  .date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date(`${tomorrowUtc()}T00:00:00Z`),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));
const notBlank = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => /\S/.test(s));

const common = {
  schema_version: fc.constant("1"),
  deployment_id: fc.stringMatching(/^[0-9a-f]{64}$/),
  timestamp: day,
  altitude: fc.constantFrom(...ALTITUDES),
  source_rule: fc.option(
    fc.oneof(fc.constantFrom(...BUILTIN_RULES), fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/)),
    {
      nil: null,
    },
  ),
  enabled_altitudes: fc.uniqueArray(fc.constantFrom(...ALTITUDES), { maxLength: ALTITUDES.length }),
  // A few tags only: every accepted tag is a row in the store's aggregates, which each case compares.
  industry_tag: fc.option(
    fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom("technology", "finance", "health care") },
      { weight: 1, arbitrary: notBlank(100) },
    ),
    {
      nil: null,
      freq: 2,
    },
  ),
  sdk_version: notBlank(64),
};

const decision = fc.record({
  ...common,
  event_type: fc.constant("proposal_decision"),
  decision: fc.constantFrom(...DECISIONS),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  rollout_outcome: fc.constant(null),
  regression_verdict: fc.constant(null),
  observation_hours: fc.constant(null),
});

const rollout = fc.record({
  ...common,
  event_type: fc.constant("rollout_result"),
  decision: fc.constant(null),
  confidence: fc.constant(null),
  rollout_outcome: fc.constantFrom(...ROLLOUT_OUTCOMES),
  regression_verdict: fc.option(fc.constantFrom(...REGRESSION_VERDICTS), { nil: null }),
  observation_hours: fc.option(fc.double({ min: 0, max: 100_000, noNaN: true }), { nil: null }),
});

/** A wire-valid event with every key present, as the Python emitter sends it. */
export const validEvent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(decision, rollout);
export const validEvents = fc.array(validEvent, { minLength: 1, maxLength: 5 });

// Values on the edges of the wire rules: wrong types, off-by-one lengths and ranges, look-alike digits
// and white space, impossible dates.
const edgeValue = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    0,
    -1,
    1.0000001,
    100_000.0001,
    1e308,
    "1",
    "2",
    1,
    "",
    " ",
    "\u00a0",
    "\u2003",
    "a".repeat(101),
    "v".repeat(65),
    "2026-02-29",
    "2026-13-01",
    "1999-12-31",
    "2999-01-01",
    "2026-4-16",
    "٢٠٢٦-04-16",
    "A".repeat(64),
    "g".repeat(64),
    "a".repeat(63),
    "Custom",
    "_rule",
    "rule-name",
    "r".repeat(65),
    "maybe",
    "proposal_decision",
    "rollout_result",
    true,
    [],
    {},
    ["architecture", "architecture"],
    [...ALTITUDES, "architecture"],
    ["orbit"],
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const keyName = fc.oneof(fc.constantFrom<string>(...EVENT_KEYS, "proposal_id", "decided_by"), fc.string());

type Mutation =
  | { readonly kind: "set"; readonly key: string; readonly value: unknown }
  | { readonly kind: "delete"; readonly key: string }
  | { readonly kind: "swap_type" };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: keyName, value: edgeValue }),
  fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom<string>(...EVENT_KEYS) }),
  fc.constant({ kind: "swap_type" as const }),
);

function mutate(event: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const out = { ...event };
  if (m.kind === "set") out[m.key] = m.value;
  else if (m.kind === "delete") delete out[m.key];
  else out.event_type = out.event_type === "proposal_decision" ? "rollout_result" : "proposal_decision";
  return out;
}

type BatchShape =
  | { readonly kind: "event"; readonly index: number; readonly mutation: Mutation }
  | { readonly kind: "extra_top_key"; readonly key: string; readonly value: unknown }
  | { readonly kind: "events_value"; readonly value: unknown }
  | { readonly kind: "too_many" };

const batchShape: fc.Arbitrary<BatchShape> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("event" as const), index: fc.nat(), mutation }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("extra_top_key" as const), key: fc.string(), value: edgeValue }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("events_value" as const), value: edgeValue }) },
  { weight: 1, arbitrary: fc.constant({ kind: "too_many" as const }) },
);

function shapeBatch(events: Record<string, unknown>[], shape: BatchShape): unknown {
  switch (shape.kind) {
    case "event": {
      const index = shape.index % events.length;
      return { events: events.map((e, i) => (i === index ? mutate(e, shape.mutation) : e)) };
    }
    case "extra_top_key":
      return { events, [shape.key]: shape.value };
    case "events_value":
      return { events: shape.value };
    case "too_many":
      return { events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => events[i % events.length]) };
  }
}

/** The oracle: what the schema says about exactly these bytes, decoded as a strict JSON parser would. */
export function expectationFor(body: Buffer): Expectation {
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return { kind: "reject" };
  }
  const verdict = parseEventBatch(decoded);
  return verdict.ok ? { kind: "accept", events: verdict.batch.events.length } : { kind: "reject" };
}

export function jsonCase(
  family: string,
  value: unknown,
  contentType: string | null = JSON_CONTENT_TYPE,
): IngestCase {
  const body = Buffer.from(JSON.stringify(value) ?? "null");
  return { family, body, contentType, expect: expectationFor(body) };
}

/** The JSON media type as senders spell it: the parameter is optional, and what Python's requests sends. */
const jsonContentType = fc.constantFrom(JSON_CONTENT_TYPE, `${JSON_CONTENT_TYPE}; charset=utf-8`);

/** A valid batch, or one with exactly one thing wrong (in an event, or in the batch around them). */
export const nearValidCase: fc.Arbitrary<IngestCase> = fc
  .tuple(validEvents, fc.option(batchShape, { freq: 4, nil: null }), jsonContentType)
  .map(([events, shape, contentType]) =>
    jsonCase("near-valid", shape === null ? { events } : shapeBatch(events, shape), contentType),
  );

/** Any JSON document at all, and text that is almost JSON. */
export const randomJsonCase: fc.Arbitrary<IngestCase> = fc.oneof(
  fc.jsonValue().map((value) => jsonCase("random-json", value)),
  fc.jsonValue().map((value) => jsonCase("random-json", { events: value })),
  fc.array(fc.jsonValue(), { maxLength: 3 }).map((list) => jsonCase("random-json", { events: list })),
  fc.string({ unit: "binary" }).map((text) => {
    const body = Buffer.from(text);
    return { family: "random-text", body, contentType: JSON_CONTENT_TYPE, expect: expectationFor(body) };
  }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => {
    const body = Buffer.from(bytes);
    return { family: "random-bytes", body, contentType: JSON_CONTENT_TYPE, expect: expectationFor(body) };
  }),
);

/** Strings far longer than any field allows, as values and as keys, still under the body limit. */
export const hugeStringCase: fc.Arbitrary<IngestCase> = fc
  .tuple(
    validEvent,
    fc.constantFrom<string>(...EVENT_KEYS, "unknown"),
    fc.integer({ min: 10_000, max: 1_500_000 }),
    fc.constantFrom("a", "\u00e9", "😀", "\\", " "),
    fc.boolean(),
  )
  .map(([event, key, length, unit, asKey]) => {
    const huge = unit.repeat(Math.ceil(length / unit.length / 2));
    return jsonCase("huge-string", { events: [asKey ? { ...event, [huge]: 1 } : { ...event, [key]: huge }] });
  });

/** Arrays and objects nested far deeper than any event, as the whole body or inside a field. */
export const deepNestingCase: fc.Arbitrary<IngestCase> = fc
  .tuple(
    fc.integer({ min: 100, max: 400_000 }),
    fc.constantFrom("array", "object"),
    fc.constantFrom("body", "events", "field"),
  )
  .map(([depth, kind, where]) => {
    const open = kind === "array" ? "[" : '{"a":';
    const close = kind === "array" ? "]" : "}";
    const nested = open.repeat(depth) + "1" + close.repeat(depth);
    const text =
      where === "body"
        ? nested
        : where === "events"
          ? `{"events":${nested}}`
          : `{"events":[{"schema_version":"1","industry_tag":${nested}}]}`;
    const body = Buffer.from(text);
    return { family: "deep-nesting", body, contentType: JSON_CONTENT_TYPE, expect: expectationFor(body) };
  });

/** Content types a JSON endpoint must not take a batch under. */
export const WRONG_CONTENT_TYPES = [
  "text/plain",
  "text/plain; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/xml",
  "application/octet-stream",
  "application/jsonx",
  "image/png",
  "*/*",
  "garbage",
  "",
] as const;

/** A valid or invalid batch under a wrong Content-Type (or none): never stored. */
export const wrongContentTypeCase: fc.Arbitrary<IngestCase> = fc
  .tuple(nearValidCase, fc.option(fc.constantFrom<string>(...WRONG_CONTENT_TYPES), { freq: 8, nil: null }))
  .map(([base, contentType]) => ({
    ...base,
    family: "wrong-content-type",
    contentType,
    // Without a Content-Type the bytes could still be JSON: taking it is a choice, storing only part is not.
    expect: contentType === null ? { kind: "either" } : { kind: "reject" },
  }));

// Byte sequences that are not UTF-8: a lone continuation byte, bytes never used, an overlong encoding,
// an encoded surrogate, a sequence cut short, a code point above U+10FFFF.
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xbf],
  [0xff],
  [0xfe],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** A valid batch with invalid UTF-8 bytes spliced into one string value: rejected, never mangled. */
export const invalidUtf8Case: fc.Arbitrary<IngestCase> = fc
  .tuple(
    validEvent,
    fc.constantFrom("sdk_version", "industry_tag", "deployment_id", "timestamp", "altitude"),
    fc.constantFrom(...INVALID_UTF8),
    fc.nat(),
  )
  .map(([event, field, bad, at]) => {
    const marker = "\u0000SPLICE\u0000";
    const original = event[field];
    const value = typeof original === "string" ? original : "x";
    const cut = at % (value.length + 1);
    const text = JSON.stringify({
      events: [{ ...event, [field]: value.slice(0, cut) + marker + value.slice(cut) }],
    });
    const [before, after] = text.split(JSON.stringify(marker).slice(1, -1));
    const body = Buffer.concat([Buffer.from(before ?? ""), Buffer.from(bad), Buffer.from(after ?? "")]);
    return {
      family: "invalid-utf8",
      body,
      contentType: JSON_CONTENT_TYPE,
      expect: {
        kind: "reject",
        why: "JSON text must be UTF-8 (RFC 8259 §8.1): a lenient decoder stores U+FFFD instead of what was sent",
      },
    };
  });

/** Bodies just over the limit and far over it: padded valid batches, many events, gzip bombs. */
export const oversizeCase: fc.Arbitrary<IngestCase> = fc
  .tuple(
    validEvent,
    fc.integer({ min: 1, max: 512 * 1024 }),
    fc.constantFrom("padding", "events", "gzip-bomb"),
  )
  .map(([event, over, how]) => {
    const target = DEFAULT_BODY_LIMIT_BYTES + over;
    if (how === "padding") {
      const json = JSON.stringify({ events: [event] });
      const body = Buffer.from(json + " ".repeat(target - Buffer.byteLength(json)));
      return {
        family: "over-limit",
        body,
        contentType: JSON_CONTENT_TYPE,
        expect: { kind: "reject", statuses: [TOO_LARGE] },
      };
    }
    if (how === "events") {
      const one = JSON.stringify({ ...event, industry_tag: "t".repeat(100), sdk_version: "v".repeat(64) });
      const count = Math.ceil(target / (one.length + 1));
      const body = Buffer.from(`{"events":[${Array.from({ length: count }, () => one).join(",")}]}`);
      return {
        family: "over-limit",
        body,
        contentType: JSON_CONTENT_TYPE,
        expect: { kind: "reject", statuses: [TOO_LARGE] },
      };
    }
    // A few KiB on the wire that inflate past the limit: refused (413; 415 or 400 when gzip is not taken).
    const json = JSON.stringify({ events: [event] });
    const body = gzipSync(Buffer.from(json + " ".repeat(target - json.length)));
    return {
      family: "gzip-bomb",
      body,
      contentType: JSON_CONTENT_TYPE,
      contentEncoding: "gzip",
      expect: { kind: "reject", statuses: [400, TOO_LARGE, 415] },
    };
  });
