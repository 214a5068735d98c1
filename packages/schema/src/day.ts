// Wire timestamps are UTC calendar days. Both validators (zod and the compiled one in schema-check.ts) call
// isWireDay, so the dynamic "not after tomorrow" bound has a single definition.

export const EARLIEST_EVENT_DAY = "2000-01-01";
const DAY_MS = 86_400_000;
// Both functions below run once per event on the ingest and emit hot paths (pnpm bench, cases 3
// and 6), so they read char codes instead of running a regex and slicing substrings.
const DAY_LENGTH = 10;
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9] as const;
const DASH_POSITIONS = [4, 7] as const;
const CODE_0 = 48;
const CODE_9 = 57;
const CODE_DASH = 45;

let cachedTomorrow = "";
let cachedUntil = 0;

/** The UTC date string of the day after `now`; cached until the next UTC midnight. */
export function tomorrowUtc(now: number = Date.now()): string {
  if (now >= cachedUntil || now < cachedUntil - DAY_MS) {
    const midnight = now - (now % DAY_MS);
    cachedTomorrow = new Date(midnight + DAY_MS).toISOString().slice(0, 10);
    cachedUntil = midnight + DAY_MS;
  }
  return cachedTomorrow;
}

let lastDayNumber = Number.NaN;
let lastDay = "";

/**
 * `YYYY-MM-DD` (UTC) of an instant: the anonymiser's timestamp coarsening. toISOString is most of
 * an emit call's cost, and consecutive events almost always fall on the same day, so the last
 * day's text is reused. An invalid Date (NaN) never matches the cache and throws RangeError as before.
 */
export function utcDay(date: Date): string {
  const dayNumber = Math.floor(date.getTime() / DAY_MS);
  if (dayNumber !== lastDayNumber) {
    lastDay = date.toISOString().slice(0, 10);
    lastDayNumber = dayNumber;
  }
  return lastDay;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by the ASCII digits at [from, to) (all checked to be digits already). */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - CODE_0;
  return value;
}

/** A real calendar date written `YYYY-MM-DD`, from 2000-01-01 to tomorrow (UTC) inclusive. */
export function isWireDay(value: string, now: number = Date.now()): boolean {
  // ASCII digits only, never other scripts' digits.
  if (value.length !== DAY_LENGTH) return false;
  for (const at of DASH_POSITIONS) if (value.charCodeAt(at) !== CODE_DASH) return false;
  for (const at of DIGIT_POSITIONS) {
    const code = value.charCodeAt(at);
    if (code < CODE_0 || code > CODE_9) return false;
  }
  if (value < EARLIEST_EVENT_DAY || value > tomorrowUtc(now)) return false;
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(digits(value, 0, 4), month);
}
