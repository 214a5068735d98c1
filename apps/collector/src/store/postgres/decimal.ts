// Exact decimal sums for the numeric columns. Each number counts as its shortest round-trip decimal
// (String(x), the same text pg sends for it as a parameter), so the sum added when events arrive is
// exactly the sum subtracted when they are deleted, and the group sums never drift.

/** A finite number as `digits × 10^exponent`, from its shortest round-trip decimal. */
interface Decimal {
  readonly digits: bigint;
  readonly exponent: number;
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

function toDecimal(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const match = DECIMAL_TEXT.exec(String(value));
  if (match === null) throw new RangeError(`unexpected number text: ${String(value)}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  return { digits: BigInt(sign + whole + fraction), exponent: Number(exponent) - fraction.length };
}

/** The exact sum of `values` (each taken as its shortest decimal), as numeric input text: "1234e-3". */
export function exactDecimalSum(values: Iterable<number>): string {
  const terms = Array.from(values, toDecimal);
  if (terms.length === 0) return "0";
  const exponent = Math.min(...terms.map((term) => term.exponent));
  let digits = 0n;
  for (const term of terms) digits += term.digits * 10n ** BigInt(term.exponent - exponent);
  return exponent === 0 ? digits.toString() : `${digits}e${exponent}`;
}

/** The numeric input text for minus `text` (a value exactDecimalSum made). */
export function negateDecimal(text: string): string {
  if (text === "0") return text;
  return text.startsWith("-") ? text.slice(1) : `-${text}`;
}
