// The exact decimal sums behind the PostgreSQL store's numeric columns (pure: no database needed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactDecimalSum, negateDecimal } from "../src/store/postgres/decimal.js";
import { storableText } from "../src/store/postgres/rows.js";

/** numeric input text "digits" or "digitsE-exp" → [digits, exponent], for exact comparisons. */
function parse(text: string): [bigint, number] {
  const [digits = "0", exponent = "0"] = text.split("e");
  return [BigInt(digits), Number(exponent)];
}

/** Exactly equal values, whatever their exponents. */
function same(a: string, b: string): boolean {
  const [da, ea] = parse(a);
  const [db, eb] = parse(b);
  const e = Math.min(ea, eb);
  return da * 10n ** BigInt(ea - e) === db * 10n ** BigInt(eb - e);
}

function plus(a: string, b: string): string {
  const [da, ea] = parse(a);
  const [db, eb] = parse(b);
  const e = Math.min(ea, eb);
  return `${da * 10n ** BigInt(ea - e) + db * 10n ** BigInt(eb - e)}e${e}`;
}

const wireNumbers = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 100_000, noNaN: true }),
);

describe("exactDecimalSum", () => {
  it("adds shortest decimals exactly, where float addition rounds", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(Number(exactDecimalSum([0.1, 0.2]))).toBe(0.3);
    expect(exactDecimalSum([0.1, 0.2])).toBe("3e-1");
    expect(exactDecimalSum([1e-7, 100_000])).toBe("1000000000001e-7");
    expect(exactDecimalSum([])).toBe("0");
    expect(exactDecimalSum([5, 20])).toBe("25");
  });

  it("subtracting the same values leaves exactly the sum of the rest, in any order", () => {
    fc.assert(
      fc.property(
        fc.array(wireNumbers, { maxLength: 50 }),
        fc.array(wireNumbers, { maxLength: 50 }),
        (kept, gone) => {
          const added = exactDecimalSum([...kept, ...gone]);
          const removed = negateDecimal(exactDecimalSum([...gone].reverse()));
          return same(plus(added, removed), exactDecimalSum(kept));
        },
      ),
    );
  });

  it("a single value round-trips to the same double", () => {
    fc.assert(fc.property(wireNumbers, (value) => Number(exactDecimalSum([value])) === value));
  });

  it("refuses what no wire number can be", () => {
    expect(() => exactDecimalSum([Number.NaN])).toThrow(RangeError);
    expect(() => exactDecimalSum([Infinity])).toThrow(RangeError);
  });
});

describe("storableText", () => {
  it("replaces U+0000 and lone surrogates with U+FFFD and keeps everything else", () => {
    expect(storableText("a\u0000b")).toBe("a\ufffdb");
    expect(storableText("x\ud800y\udc00")).toBe("x\ufffdy\ufffd");
    expect(storableText("emoji \ud83d\ude00 ok")).toBe("emoji \ud83d\ude00 ok");
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (text) => storableText(text) === text));
  });
});
