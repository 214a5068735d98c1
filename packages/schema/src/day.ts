// Wire timestamps are UTC calendar days. Both validators (zod and the compiled ajv one) call
// isWireDay, so the dynamic "not after tomorrow" bound has a single definition.

export const EARLIEST_EVENT_DAY = "2000-01-01";
const DAY_MS = 86_400_000;
// ASCII digits only: without the `u` flag \d is [0-9] in JavaScript, never other scripts' digits.
const DAY_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

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

/** `YYYY-MM-DD` (UTC) of an instant: the anonymiser's timestamp coarsening. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A real calendar date written `YYYY-MM-DD`, from 2000-01-01 to tomorrow (UTC) inclusive. */
export function isWireDay(value: string, now: number = Date.now()): boolean {
  if (!DAY_SHAPE.test(value)) return false;
  if (value < EARLIEST_EVENT_DAY || value > tomorrowUtc(now)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
