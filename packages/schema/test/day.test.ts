// utcDay and isWireDay read char codes and cache for speed; here they are held to the plain
// definitions (toISOString, and a Date round trip) over arbitrary input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EARLIEST_EVENT_DAY, isWireDay, tomorrowUtc, utcDay } from "../src/index.js";

const RUNS = 5_000;
const DAY_MS = 86_400_000;
/** 1970–2100: beyond both ends of the wire range, inside toISOString's 4-digit years. */
const instant = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });

/** The plain definition: a YYYY-MM-DD that a UTC Date reads back unchanged, inside the wire range. */
function referenceWireDay(value: string, now: number): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
  return (
    value >= EARLIEST_EVENT_DAY && value <= new Date(now - (now % DAY_MS) + DAY_MS).toISOString().slice(0, 10)
  );
}

/** Strings close to days: digits and dashes in the right places, with noise. */
const dayLike = fc.oneof(
  instant.map((ms) => new Date(ms).toISOString().slice(0, 10)),
  fc
    .tuple(
      fc.oneof(fc.integer({ min: 1995, max: 2101 }), fc.integer({ min: 0, max: 9999 })),
      fc.oneof(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 99 })),
      fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 99 })),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
    ),
  fc.string({ unit: fc.constantFrom(..."0123456789-/: \n٣"), minLength: 8, maxLength: 12 }),
  fc.string(),
);

describe("utcDay", () => {
  it("is the UTC date of toISOString, in any order of calls", () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (times) => {
        for (const time of times)
          expect(utcDay(new Date(time))).toBe(new Date(time).toISOString().slice(0, 10));
      }),
      { numRuns: RUNS / 10 },
    );
  });

  it("changes at UTC midnight, not a millisecond early", () => {
    const midnight = Date.UTC(2026, 2, 1);
    expect(utcDay(new Date(midnight - 1))).toBe("2026-02-28");
    expect(utcDay(new Date(midnight))).toBe("2026-03-01");
    expect(utcDay(new Date(midnight - 1))).toBe("2026-02-28");
  });

  it("still rejects an invalid Date", () => {
    expect(() => utcDay(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("isWireDay", () => {
  it("agrees with the plain definition", () => {
    fc.assert(
      fc.property(dayLike, instant, (value, now) => {
        expect(isWireDay(value, now)).toBe(referenceWireDay(value, now));
      }),
      { numRuns: RUNS },
    );
  });

  it("takes tomorrow but not the day after", () => {
    const now = Date.UTC(2026, 11, 31, 23, 59);
    expect(tomorrowUtc(now)).toBe("2027-01-01");
    expect(isWireDay("2027-01-01", now)).toBe(true);
    expect(isWireDay("2027-01-02", now)).toBe(false);
  });

  it("rejects digits of other scripts, neighbours of 0–9 and a trailing newline", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(isWireDay("2024-0٣-01", now)).toBe(false);
    expect(isWireDay("2024-03-0:", now)).toBe(false);
    expect(isWireDay("2024-03-1/", now)).toBe(false);
    expect(isWireDay("2024-03-01\n", now)).toBe(false);
  });
});
