import type { HealthcareService, HealthcareServiceAvailableTime } from '@medplum/fhirtypes';

/** FHIR day codes in the order used for minutes-of-week: Monday 00:00 is minute 0. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WEEK_MINUTES = 7 * 1440;

/** The time zone opening hours are read in: KITH_TIMEZONE, else the process zone. */
export function directoryTimeZone(): string {
  return process.env.KITH_TIMEZONE || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Minutes since Monday 00:00 of `at`, on the wall clock of `timeZone`. */
export function minuteOfWeek(at: Date, timeZone = directoryTimeZone()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const day = DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  return day * 1440 + Number(get('hour')) * 60 + Number(get('minute'));
}

function minutes(time: string | undefined, fallback: number): number {
  if (!time) return fallback;
  const [h, m] = time.split(':').map(Number);
  return h * 60 + (m || 0);
}

/** Weekly open intervals [start, end) in minutes of week, merged; an overnight slot wraps to the next day. */
export function openIntervals(times: HealthcareServiceAvailableTime[] | undefined): [number, number][] {
  const out: [number, number][] = [];
  for (const t of times ?? []) {
    const days = t.daysOfWeek?.length ? t.daysOfWeek : DAYS;
    const start = t.allDay ? 0 : minutes(t.availableStartTime, 0);
    let end = t.allDay ? 1440 : minutes(t.availableEndTime, 1440);
    if (end <= start) end += 1440; // closes after midnight
    for (const d of days) {
      const i = DAYS.indexOf(d as (typeof DAYS)[number]);
      if (i < 0) continue;
      const s = i * 1440 + start;
      const e = i * 1440 + end;
      if (e <= WEEK_MINUTES) out.push([s, e]);
      else out.push([s, WEEK_MINUTES], [0, e - WEEK_MINUTES]);
    }
  }
  out.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const iv of out) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

/** As a PostgreSQL int4multirange literal, or null when the service gives no hours. */
export function openWeekLiteral(times: HealthcareServiceAvailableTime[] | undefined): string | null {
  const iv = openIntervals(times);
  if (!iv.length) return null;
  return `{${iv.map(([s, e]) => `[${s},${e})`).join(',')}}`;
}

/**
 * Is the service open at `at`? Uses availableTime on the directory's wall clock and honours
 * notAvailable periods. A service that publishes no hours is not "open now" (unknown).
 */
export function isOpenAt(
  service: HealthcareService,
  at: Date = new Date(),
  timeZone = directoryTimeZone(),
): boolean {
  for (const na of service.notAvailable ?? []) {
    const from = na.during?.start ? Date.parse(na.during.start) : -Infinity;
    const to = na.during?.end ? Date.parse(na.during.end) : Infinity;
    if (na.during && at.getTime() >= from && at.getTime() < to) return false;
  }
  const m = minuteOfWeek(at, timeZone);
  return openIntervals(service.availableTime).some(([s, e]) => m >= s && m < e);
}
