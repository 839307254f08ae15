/**
 * FHIR date / dateTime bounds as ISO instants: a period starts at the first instant of its start
 * and ends before the first instant after its end, so a date-only end ("2025-06-30") covers that
 * whole day, a month ("2025-06") the whole month. Dates without a time zone are read as UTC.
 */
const PARTIAL = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/;

function bound(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  const m = PARTIAL.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, m[3] ? Number(m[3]) : 1];
    const date = new Date(Date.UTC(y, mo, d));
    if (end) {
      if (m[3]) date.setUTCDate(date.getUTCDate() + 1);
      else if (m[2]) date.setUTCMonth(date.getUTCMonth() + 1);
      else date.setUTCFullYear(date.getUTCFullYear() + 1);
    }
    return date.toISOString();
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export const periodStart = (value: string | undefined) => bound(value, false);
export const periodEnd = (value: string | undefined) => bound(value, true);

/** Whether an instant lies in [start, end). */
export function inPeriod(now: Date, start: string | undefined, end: string | undefined): boolean {
  const t = now.getTime();
  return (!start || Date.parse(start) <= t) && (!end || t < Date.parse(end));
}
