/**
 * Birth dates as integers YYYYMMDD (0 = missing). Sources send YYYYMMDD, YYYY-MM-DD (with or without a
 * time), MM/DD/YYYY and MM/DD/YY; a "month" above 12 whose "day" is 12 or less is read as DD/MM, because
 * that is what the clerk typed. A date one mistyped digit from a real one (month 13-19, day 32-39) is kept
 * for comparison: it can still be one edit from the right date, though never equal to it; so is a date in
 * the future (a mistyped year). Other impossible dates and known placeholders (1900-01-01, 1901-01-01) are missing: a placeholder shared by strangers
 * must not count as agreement.
 */
const MIN_YEAR = 1880;
/** Years after the current one up to this are typos of a past year (one digit off), kept for comparison. */
const MAX_TYPED_YEAR = 2999;
const PLACEHOLDERS = new Set([19000101, 19010101, 18000101, 18500101]);

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isValidDate(y: number, m: number, d: number, maxYear = new Date().getUTCFullYear()): boolean {
  if (!Number.isInteger(y) || y < MIN_YEAR || y > maxYear) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m]);
}

function build(y: number, m: number, d: number, maxYear: number): number {
  if (!isValidDate(y, m, d, maxYear)) {
    // A transposed day and month is the commonest date error; keep the information rather than drop it.
    if (m > 12 && d <= 12 && isValidDate(y, d, m, maxYear)) return y * 10000 + d * 100 + m;
    // One mistyped digit (month 16, day 38) still leaves a date that compares close to the right one.
    if (y >= MIN_YEAR && y <= maxYear && m >= 1 && m <= 19 && d >= 1 && d <= 39)
      return y * 10000 + m * 100 + d;
    // A year in the future (2054) is a mistyped past one (1954, 2004), not an absent date: kept, it still
    // disagrees with a father's 1975, where a missing date would let the pair through on name and address.
    if (y > maxYear && y <= MAX_TYPED_YEAR && isValidDate(y, m, d, MAX_TYPED_YEAR))
      return y * 10000 + m * 100 + d;
    return 0;
  }
  const v = y * 10000 + m * 100 + d;
  return PLACEHOLDERS.has(v) ? 0 : v;
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const US = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/;
const YMD_SLASH = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;

/** Parse a birth date to YYYYMMDD as a number, or 0 when missing, malformed or a placeholder. */
export function parseDate(raw: string | undefined, maxYear = new Date().getUTCFullYear()): number {
  if (!raw) return 0;
  const s = raw.trim();
  let m = ISO.exec(s) ?? YMD_SLASH.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], maxYear);
  m = COMPACT.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], maxYear);
  m = US.exec(s);
  if (m) {
    let y = +m[3];
    // Two-digit years: the most recent century that does not put the birth in the future.
    if (m[3].length === 2)
      y += y <= maxYear % 100 ? Math.floor(maxYear / 100) * 100 : Math.floor(maxYear / 100) * 100 - 100;
    return build(y, +m[1], +m[2], maxYear);
  }
  return 0;
}

export const yearOf = (date: number): number => Math.floor(date / 10000);
export const monthOf = (date: number): number => Math.floor(date / 100) % 100;
export const dayOf = (date: number): number => date % 100;

/** YYYY-MM-DD for display and FHIR. */
export function formatDate(date: number): string {
  if (date === 0) return '';
  const s = String(date);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** Same year, and one date's day and month are the other's month and day (and they differ). */
export function isDayMonthSwap(a: number, b: number): boolean {
  if (a === 0 || b === 0 || a === b || yearOf(a) !== yearOf(b)) return false;
  return monthOf(a) === dayOf(b) && dayOf(a) === monthOf(b);
}

/** A key unchanged by a day/month swap: year, then the smaller and larger of month and day. */
export function swapInvariantKey(date: number): number {
  const m = monthOf(date);
  const d = dayOf(date);
  return yearOf(date) * 10000 + Math.min(m, d) * 100 + Math.max(m, d);
}
