// Targeted cases for what the compiled fast path relies on (schema-check.ts): strings remembered for
// the rest of a batch, key matching by the previous object's order, the enabled_altitudes bit mask,
// and declining (leaving the verdict to zod) on objects that are not plain data.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALTITUDES,
  EVENT_KEYS,
  MAX_SDK_VERSION_LENGTH,
  eventBatchSchema,
  eventSchema,
} from "../src/index.js";
import { REMEMBERED_STRINGS_LIMIT, codePointLength, compileCheck } from "../src/schema-check.js";
import { sampleDecisionEvent, sampleRolloutEvent, type SampleWireEvent } from "../src/testing.js";
import { fastBatchVerdict, fastEventVerdict, parseEvent, parseEventBatch } from "../src/validate.js";

/**
 * parseEventBatch gives zod's verdict and zod's data, and the fast path never says yes to what zod
 * rejects. `make` builds a fresh input per validator, since both may fill defaults in place.
 */
function expectAgreement(make: () => unknown): boolean {
  const zod = eventBatchSchema.safeParse(make());
  const parsed = parseEventBatch(make());
  expect(parsed.ok).toBe(zod.success);
  if (parsed.ok && zod.success) expect(parsed.batch).toEqual(zod.data);
  if (fastBatchVerdict(make())) expect(zod.success).toBe(true);
  return zod.success;
}

/** A valid event, then the 2nd event equal to it but for one field. */
const twoEvents = (key: string, second: unknown) => () => ({
  events: [sampleDecisionEvent(), sampleDecisionEvent({ [key]: second })],
});

describe("strings remembered within a batch", () => {
  it.each([
    ["deployment_id", "A".repeat(64)],
    ["deployment_id", `${"a".repeat(63)}g`],
    ["sdk_version", "2.4.0\u0000"],
    ["sdk_version", " "],
    ["industry_tag", "technology\ud800"],
    ["industry_tag", "\ufffd"],
    ["timestamp", "2026-02-29"],
    ["source_rule", "Quality_declining"],
    ["enabled_altitudes", ["config_tuning", "config_tuning"]],
    ["enabled_altitudes", ["config_tuning", "architecture", "nonsense"]],
  ])("rejects a 2nd event that differs from the 1st only in %s = %j", (key, second) => {
    expect(expectAgreement(twoEvents(key, second))).toBe(false);
    expect(fastBatchVerdict(twoEvents(key, second)())).toBe(false);
  });

  it.each([
    ["deployment_id", "b".repeat(64)],
    ["sdk_version", "2.4.1"],
    ["industry_tag", null],
    ["timestamp", "2026-04-17"],
    ["source_rule", null],
    ["enabled_altitudes", ["architecture", "config_tuning"]],
  ])("accepts a 2nd event that differs only in a valid %s = %j", (key, second) => {
    expect(expectAgreement(twoEvents(key, second))).toBe(true);
    expect(fastBatchVerdict(twoEvents(key, second)())).toBe(true);
  });

  it("remembers per field: a string valid as one field is still checked as another", () => {
    const tag = "t".repeat(MAX_SDK_VERSION_LENGTH + 1); // a valid industry tag, too long for a version
    const make = () => ({
      events: [sampleDecisionEvent({ industry_tag: tag }), sampleDecisionEvent({ sdk_version: tag })],
    });
    expect(expectAgreement(make)).toBe(false);
    expect(fastBatchVerdict(make())).toBe(false);
  });

  it("forgets between calls, and still checks every string past the remembered limit", () => {
    const many = REMEMBERED_STRINGS_LIMIT + 20;
    const versions = Array.from({ length: many }, (_, i) => `1.0.${i}`);
    const make = (last: string) => () => ({
      events: [...versions, last].map((sdk_version) => sampleDecisionEvent({ sdk_version })),
    });
    expect(fastBatchVerdict(make("1.0.0")())).toBe(true);
    expect(expectAgreement(make("1.0.0\u0007"))).toBe(false);
    expect(fastBatchVerdict(make("1.0.0\u0007")())).toBe(false);
    expect(fastBatchVerdict({ events: [sampleDecisionEvent({ sdk_version: "1.0.0\u0007" })] })).toBe(false);
  });

  it("agrees with zod on batches that repeat values from small pools", () => {
    // Each field takes one of three values, valid or not, so repeats (and first misses) abound.
    const pool = (valid: unknown) =>
      fc.array(fc.oneof(fc.constant(valid), fc.anything()), { minLength: 3, maxLength: 3 });
    const pools = fc.record({
      deployment_id: pool("c".repeat(64)),
      sdk_version: pool("2.4.0"),
      industry_tag: pool("finance"),
      timestamp: pool("2026-04-16"),
      source_rule: pool("custom"),
      enabled_altitudes: pool(ALTITUDES.slice(0, 2)),
    });
    fc.assert(
      fc.property(
        pools,
        fc.array(fc.nat({ max: 0xfff }), { minLength: 1, maxLength: 12 }),
        (choices, picks) => {
          const build = () => ({
            events: picks.map((pick, i) => {
              const event: SampleWireEvent = i % 2 === 0 ? sampleDecisionEvent() : sampleRolloutEvent();
              Object.entries(choices).forEach(([key, values], k) => {
                // Two bits per field pick its pool entry; 3 leaves the valid sample value.
                const which = (pick >> (2 * k)) & 3;
                if (which < 3) event[key] = structuredClone(values[which]);
              });
              return event;
            }),
          });
          expect(fastBatchVerdict(build())).toBe(eventBatchSchema.safeParse(build()).success);
          expectAgreement(build);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("keys", () => {
  it("matches keys in any order, changing from one event to the next", () => {
    const reversed = () => Object.fromEntries(Object.entries(sampleRolloutEvent()).reverse());
    const make = () => ({ events: [sampleDecisionEvent(), reversed(), sampleDecisionEvent(), reversed()] });
    expect(fastBatchVerdict(make())).toBe(true);
    expect(expectAgreement(make)).toBe(true);
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "0", "extra_key"])(
    "rejects an own %s key (as JSON.parse makes it)",
    (key) => {
      const body = JSON.stringify({ events: [sampleDecisionEvent()] }).replace(/}]}$/, `,"${key}":{}}]}`);
      expect(Object.keys((JSON.parse(body) as { events: object[] }).events[0]!)).toContain(key);
      expect(expectAgreement(() => JSON.parse(body))).toBe(false);
      expect(fastBatchVerdict(JSON.parse(body))).toBe(false);
      const batchBody = JSON.stringify({ events: [] }).replace(/}$/, `,"${key}":1}`);
      expect(expectAgreement(() => JSON.parse(batchBody))).toBe(false);
    },
  );

  it("treats keys with undefined values as zod does", () => {
    for (const [key, accepted] of [
      ["schema_version", true],
      ["enabled_altitudes", true],
      ["industry_tag", false],
      ["confidence", false],
      ["extra_key", false],
    ] as const) {
      const make = () => ({ events: [sampleDecisionEvent({ [key]: undefined })] });
      expect(expectAgreement(make)).toBe(accepted);
      expect(fastBatchVerdict(make())).toBe(accepted);
    }
    const filled = parseEventBatch({
      events: [sampleDecisionEvent({ schema_version: undefined, enabled_altitudes: undefined })],
    });
    expect(filled.ok && filled.batch.events[0]).toMatchObject({ schema_version: "1", enabled_altitudes: [] });
  });

  it("fills a fresh enabled_altitudes array per event", () => {
    const events = [sampleDecisionEvent(), sampleDecisionEvent()].map((event) => {
      delete event.enabled_altitudes;
      return event;
    });
    const result = parseEventBatch({ events });
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.batch.events[0]!.enabled_altitudes).not.toBe(result.batch.events[1]!.enabled_altitudes);
  });

  it("leaves inherited and non-enumerable properties to zod", () => {
    const inherited = () => ({ events: [Object.create(sampleDecisionEvent()) as object] });
    const partlyInherited = () => {
      const { decision, ...own } = sampleDecisionEvent();
      return { events: [Object.assign(Object.create({ decision }) as object, own)] };
    };
    const hidden = () => {
      const event = sampleDecisionEvent();
      const { decision } = event;
      delete event.decision;
      Object.defineProperty(event, "decision", { value: decision, enumerable: false });
      return { events: [event] };
    };
    const nullPrototype = () => ({
      events: [Object.assign(Object.create(null) as object, sampleRolloutEvent())],
    });
    for (const make of [inherited, partlyInherited, hidden]) {
      expect(fastBatchVerdict(make())).toBe(false);
      expectAgreement(make);
    }
    expect(fastBatchVerdict(nullPrototype())).toBe(true);
    expect(expectAgreement(nullPrototype)).toBe(true);
  });

  it("agrees with zod while Object.prototype carries extra properties", () => {
    const make = () => ({ events: [sampleDecisionEvent({ schema_version: undefined })] });
    const prototype = Object.prototype as Record<string, unknown>;
    try {
      prototype.polluted = 1; // enumerable: zod's for…in sees it as an unknown key
      expect(expectAgreement(make)).toBe(false);
      expect(fastBatchVerdict(make())).toBe(false);
    } finally {
      delete prototype.polluted;
    }
    const withoutVersion = () => {
      const event = sampleDecisionEvent();
      delete event.schema_version;
      return { events: [event] };
    };
    try {
      // Not enumerable: for…in skips it, yet zod reads it for the absent key.
      Object.defineProperty(Object.prototype, "schema_version", { value: "1", configurable: true });
      expectAgreement(withoutVersion);
      expect(fastBatchVerdict(withoutVersion())).toBe(false);
    } finally {
      delete prototype.schema_version;
    }
    try {
      // Enumerable and declared: for…in lists it for `{}`, which does not own it as zod's output does.
      prototype.events = [];
      expectAgreement(() => ({}));
      expect(fastBatchVerdict({})).toBe(false);
    } finally {
      delete prototype.events;
    }
    expect(fastBatchVerdict(make())).toBe(true);
    expect(fastBatchVerdict(withoutVersion())).toBe(true);
  });
});

describe("arrays and objects", () => {
  it("rejects arrays masquerading as objects and objects masquerading as arrays", () => {
    const arrayEvent = () => ({ events: [Object.assign([], sampleDecisionEvent())] });
    const arrayWithObjectPrototype = () => ({
      events: [Object.setPrototypeOf(Object.assign([], sampleDecisionEvent()), Object.prototype) as object],
    });
    const arrayLikeEvents = () => ({ events: { 0: sampleDecisionEvent(), length: 1 } });
    const arrayLikeAltitudes = () => ({
      events: [sampleDecisionEvent({ enabled_altitudes: { 0: "architecture", length: 1 } })],
    });
    const arrayBatch = () => Object.assign([sampleDecisionEvent()], { events: [] });
    for (const make of [
      arrayEvent,
      arrayWithObjectPrototype,
      arrayLikeEvents,
      arrayLikeAltitudes,
      arrayBatch,
    ]) {
      expect(fastBatchVerdict(make())).toBe(false);
      expect(expectAgreement(make)).toBe(false);
    }
    // Not an array, but an object with Array.prototype: zod's isObject accepts it; the fast path
    // declines and zod decides.
    const arrayPrototypeEvent = () => ({
      events: [Object.assign(Object.create(Array.prototype) as object, sampleDecisionEvent())],
    });
    expect(fastBatchVerdict(arrayPrototypeEvent())).toBe(false);
    expectAgreement(arrayPrototypeEvent);
  });

  it.each([
    [[], true],
    [ALTITUDES.slice(), true],
    [ALTITUDES.slice().reverse(), true],
    [[...ALTITUDES, ALTITUDES[0]], false],
    [["architecture", "tool_creation", "architecture"], false],
    [["architecture", null], false],
    [["architecture", 1], false],
    [[["architecture"]], false],
    // eslint-disable-next-line no-sparse-arrays -- a hole is the point
    [["architecture", , "tool_creation"], false],
  ])("checks enabled_altitudes %j without allocating", (altitudes, accepted) => {
    const make = () => ({
      events: [sampleDecisionEvent({ enabled_altitudes: (altitudes as unknown[]).slice() })],
    });
    expect(fastBatchVerdict(make())).toBe(accepted);
    expect(expectAgreement(make)).toBe(accepted);
  });

  it("checks single events like zod (parseEvent)", () => {
    for (const event of [
      sampleDecisionEvent(),
      sampleRolloutEvent({ enabled_altitudes: undefined }),
      sampleRolloutEvent({ decision: "approved" }),
      sampleDecisionEvent({ event_type: "other" }),
      sampleDecisionEvent({ event_type: undefined }),
    ]) {
      const zod = eventSchema.safeParse(structuredClone(event));
      expect(fastEventVerdict(structuredClone(event))).toBe(zod.success);
      const parsed = parseEvent(structuredClone(event));
      expect(parsed.ok).toBe(zod.success);
      if (parsed.ok && zod.success) expect(parsed.batch).toEqual(zod.data);
    }
    expect(EVENT_KEYS).toHaveLength(14);
  });
});

describe("compileCheck", () => {
  const formats = {};
  it("refuses keywords it does not implement, naming where", () => {
    expect(() =>
      compileCheck({ type: "string", contentEncoding: "base64" }, { formats, rememberStrings: false }),
    ).toThrow(/keyword "contentEncoding" at #/);
    expect(() =>
      compileCheck(
        { type: "object", properties: {}, additionalProperties: true },
        { formats, rememberStrings: false },
      ),
    ).toThrow(/additionalProperties/);
    expect(() =>
      compileCheck({ type: "string", format: "email" }, { formats, rememberStrings: false }),
    ).toThrow(/format "email"/);
    expect(() =>
      compileCheck({ oneOf: [{ type: "string" }, { type: "null" }] }, { formats, rememberStrings: false }),
    ).toThrow(/oneOf/);
  });

  it("counts length in code points, a surrogate pair once and a lone surrogate as itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        let expected = 0;
        for (let i = 0; i < text.length; i++) {
          const pair = /^[\ud800-\udbff][\udc00-\udfff]/.test(text.slice(i, i + 2));
          expected++;
          if (pair) i++;
        }
        expect(codePointLength(text)).toBe(expected);
      }),
    );
    expect(codePointLength("😀\ud800")).toBe(2);
  });
});
