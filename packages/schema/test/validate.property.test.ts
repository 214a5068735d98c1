// Differential property test: the compiled fast validator must give exactly zod's verdict, and on
// acceptance exactly zod's output, over valid and near-valid events.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALTITUDES,
  BUILTIN_RULES,
  EVENT_KEYS,
  REGRESSION_VERDICTS,
  ROLLOUT_OUTCOMES,
  eventBatchSchema,
  tomorrowUtc,
} from "../src/index.js";
import { fastBatchVerdict, parseEventBatch } from "../src/validate.js";

const EVENTS_PER_RUN = 5;
const RUNS = 2_500; // × up to 5 events = over 10 000 events

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const day = fc
  .date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date(`${tomorrowUtc()}T23:59:59Z`),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));
const ruleName = fc.oneof(
  fc.constantFrom(...BUILTIN_RULES, "custom"),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/),
);
const tag = fc.string({ minLength: 1, maxLength: 100 }).filter((s) => /\S/.test(s));
const altitudes = fc.uniqueArray(fc.constantFrom(...ALTITUDES), { maxLength: 5 });
const hours = fc.double({ min: 0, max: 100_000, noNaN: true });

const common = {
  deployment_id: hex64,
  timestamp: day,
  altitude: fc.constantFrom(...ALTITUDES),
  source_rule: fc.option(ruleName, { nil: null }),
  industry_tag: fc.option(tag, { nil: null }),
  sdk_version: fc.string({ minLength: 1, maxLength: 64 }).filter((s) => /\S/.test(s)),
};

/** schema_version and enabled_altitudes may be left out by a sender; every other key is required. */
const SENDER_OPTIONAL_KEYS: readonly string[] = ["schema_version", "enabled_altitudes"];
const REQUIRED_KEYS = EVENT_KEYS.filter((key) => !SENDER_OPTIONAL_KEYS.includes(key));

/** A valid event of one type: `typeFields` holds the arbitraries for the fields that depend on it. */
function validEventOfType<T extends Record<string, fc.Arbitrary<unknown>>>(typeFields: T) {
  return fc.record(
    { ...common, schema_version: fc.constant("1"), enabled_altitudes: altitudes, ...typeFields },
    { requiredKeys: REQUIRED_KEYS },
  );
}

const validDecision = validEventOfType({
  event_type: fc.constant("proposal_decision"),
  decision: fc.constantFrom("approved", "rejected"),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  rollout_outcome: fc.constant(null),
  regression_verdict: fc.constant(null),
  observation_hours: fc.constant(null),
});
const validRollout = validEventOfType({
  event_type: fc.constant("rollout_result"),
  decision: fc.constant(null),
  confidence: fc.constant(null),
  rollout_outcome: fc.constantFrom(...ROLLOUT_OUTCOMES),
  regression_verdict: fc.option(fc.constantFrom(...REGRESSION_VERDICTS), { nil: null }),
  observation_hours: fc.option(hours, { nil: null }),
});
const validEvent = fc.oneof(validDecision, validRollout);

// Values chosen to sit on the edges of the rules: lengths in UTF-16 units, non-ASCII white space and
// digits, special numbers, wrong types.
const nastyValue = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1,
    1.0000001,
    -1e-300,
    100_000,
    100_000.0001,
    "1",
    "2",
    1,
    "",
    " ",
    "\u0000",
    "a\u001f",
    "\ud800",
    "\udc00x",
    "😀\ud83d",
    "\u007f",
    "\u0080",
    "\u00a0",
    "\u2003",
    "\ufeff",
    "\t\n",
    "😀".repeat(50),
    "😀".repeat(51),
    "a".repeat(100),
    "a".repeat(101),
    "2026-02-29",
    "2024-02-29",
    "2026-13-01",
    "2026-00-10",
    "٢٠٢٦-04-16",
    "2026-4-16",
    "1999-12-31",
    "2000-01-01",
    "A".repeat(64),
    "a".repeat(64),
    "g".repeat(64),
    "custom",
    "Custom",
    "_rule",
    "rule-name",
    "approved",
    "success",
    "insufficient_data",
    "proposal_decision",
    "rollout_result",
    "architecture",
    true,
    false,
    [],
    {},
    ["architecture"],
    ["architecture", "architecture"],
    ALTITUDES.slice(),
    [...ALTITUDES, "architecture"],
  ),
  fc.string(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);
/** Every wire key, plus two a sender must not add. */
const KEYS = [...EVENT_KEYS, "extra_key", "proposal_id"];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: fc.constantFrom(...KEYS), value: nastyValue }),
  fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant("none" as const) }),
);

const nearValidEvent = fc
  .tuple(validEvent, fc.array(mutation, { maxLength: 2 }))
  .map(([event, mutations]) => {
    const out: Record<string, unknown> = { ...event };
    for (const m of mutations) {
      if (m.kind === "set") out[m.key] = m.value;
      else if (m.kind === "delete") delete out[m.key];
    }
    return out;
  });

describe("parseEventBatch ≡ eventBatchSchema.safeParse", () => {
  it("agrees on verdict and output for valid and near-valid events", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(validEvent, nearValidEvent), { minLength: 1, maxLength: EVENTS_PER_RUN }),
        (events) => {
          const input = { events };
          const zod = eventBatchSchema.safeParse(structuredClone(input));
          const fastInput = structuredClone(input);
          const fast = fastBatchVerdict(fastInput);
          expect(fast).toBe(zod.success);
          const parsed = parseEventBatch(structuredClone(input));
          expect(parsed.ok).toBe(zod.success);
          if (zod.success) {
            accepted++;
            expect(fastInput).toEqual(zod.data);
          } else {
            rejected++;
            expect(parsed.ok ? [] : parsed.issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: RUNS },
    );
    // Both sides of the boundary were really exercised.
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(rejected).toBeGreaterThan(RUNS / 10);
  });

  it("agrees on batches whose events are arbitrary JSON values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.jsonValue({ maxDepth: 2 }), validEvent), { maxLength: 3 }),
        (events) => {
          const input = { events };
          expect(fastBatchVerdict(structuredClone(input))).toBe(eventBatchSchema.safeParse(input).success);
        },
      ),
      { numRuns: 1_000 },
    );
    for (const odd of [false, null, 0, "x", [], [1]]) {
      expect(fastBatchVerdict({ events: [odd] })).toBe(false);
    }
  });

  it("agrees on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(fastBatchVerdict(structuredClone(value))).toBe(eventBatchSchema.safeParse(value).success);
      }),
      { numRuns: 1_000 },
    );
  });
});
