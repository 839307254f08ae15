/** Date helpers relative to the demo's fixed "as of" date (never the clock). */
import { AS_OF } from './kith';
import type { Random } from './random';

const DAY = 86_400_000;
const asOf = Date.parse(`${AS_OF}T12:00:00Z`);

/** A moment `days` days before the as-of date, at a working-hours time chosen by rng. */
export function daysAgo(rng: Random, days: number): Date {
  const minutes = rng.int(15 * 60, 25 * 60); // 08:00–18:00 Pacific, in UTC
  return new Date(asOf - Math.round(days) * DAY - 12 * 3_600_000 + minutes * 60_000);
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY);
}

export function addMinutes(d: Date, minutes: number): Date {
  return new Date(d.getTime() + minutes * 60_000);
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** FHIR dateTime with seconds and a UTC offset, e.g. 2025-03-04T17:30:00Z. */
export function isoDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Days from a birth date (YYYY-MM-DD) to the as-of date. */
export function daysSinceBirth(birthDate: string): number {
  return Math.max(0, Math.floor((asOf - Date.parse(`${birthDate}T00:00:00Z`)) / DAY));
}

/** A number of days ago in [min, max] but never more than `limit` (such as the days since birth). */
export function daysWithin(rng: Random, min: number, max: number, limit = Number.POSITIVE_INFINITY): number {
  const high = Math.max(0, Math.min(max, limit));
  return rng.int(Math.min(min, high), high);
}

/** Whole days from a moment to the as-of date. */
export function daysSince(d: Date): number {
  return Math.floor((asOf - d.getTime()) / DAY);
}

export function asOfDate(): Date {
  return new Date(asOf);
}

/** Whole years between a birth date (YYYY-MM-DD) and the as-of date. */
export function ageOn(birthDate: string, at: string = AS_OF): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ay, am, ad] = at.split('-').map(Number);
  return ay - by - (am < bm || (am === bm && ad < bd) ? 1 : 0);
}

/** A birth date for someone aged `age` on the as-of date. */
export function birthDateForAge(rng: Random, age: number): string {
  const [y, m, d] = AS_OF.split('-').map(Number);
  const lastBirthday = Date.UTC(y - age, m - 1, d);
  return isoDate(new Date(lastBirthday - rng.int(0, 364) * DAY));
}

export function isAfter(a: Date, b: Date): boolean {
  return a.getTime() > b.getTime();
}

export function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

export function minDate(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
