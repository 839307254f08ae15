/**
 * Strict date and time parsing for source data. Lenient parsers (Date.parse, Medplum's
 * parseHl7DateTime) silently roll '2020-13-45' over into 2021; a health record must instead say
 * precisely what is wrong, so everything here validates the calendar and reports a problem.
 *
 * Times without an offset are wall-clock times of the source; they get the UTC offset that the
 * channel's IANA time zone had at that moment (FHIR requires an offset on any dateTime with a time).
 */
export type DateResult =
  { ok: true; value: string; date: string; hasTime: boolean } | { ok: false; problem: string };

export const DEFAULT_TIME_ZONE = 'America/Los_Angeles';

const HL7_TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

/** HL7 v2 DT / DTM / TS (component 1): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]. */
export function parseHl7DateTime(raw: string, timeZone: string = DEFAULT_TIME_ZONE): DateResult {
  const m = HL7_TS.exec(raw.trim());
  if (!m)
    return { ok: false, problem: `${q(raw)} is not an HL7 date/time (YYYY[MM[DD[HHMM[SS]]]][+/-ZZZZ])` };
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const calendar = checkCalendar(+y, mo === undefined ? 1 : +mo, d === undefined ? 1 : +d);
  if (calendar) return { ok: false, problem: `${q(raw)} is not a valid date: ${calendar}` };
  const date = [y, mo, d].filter((p) => p !== undefined).join('-');
  if (h === undefined) return { ok: true, value: date, date, hasTime: false };
  if (d === undefined) return { ok: false, problem: `${q(raw)} has a time but no day` };
  const clock = checkClock(+h, mi === undefined ? 0 : +mi, s === undefined ? 0 : +s);
  if (clock) return { ok: false, problem: `${q(raw)} is not a valid time: ${clock}` };
  let offset: string;
  if (tz !== undefined) {
    const oh = +tz.slice(1, 3);
    const om = +tz.slice(3, 5);
    if (oh > 14 || om > 59) return { ok: false, problem: `${q(raw)} has an invalid UTC offset ${tz}` };
    offset = `${tz.slice(0, 3)}:${tz.slice(3)}`;
  } else {
    const zoned = zoneOffset(
      timeZone,
      +y,
      +mo!,
      +d,
      +h,
      mi === undefined ? 0 : +mi,
      s === undefined ? 0 : +s,
    );
    if (zoned === undefined) return { ok: false, problem: `unknown time zone ${timeZone}` };
    offset = zoned;
  }
  // FHIR has no hour-only precision: a time given as HH alone gets :00 minutes rather than failing.
  const fraction = frac !== undefined ? `.${frac}` : '';
  const value = `${date}T${h}:${mi ?? '00'}:${s ?? '00'}${fraction}${offset}`;
  return { ok: true, value, date, hasTime: true };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?$/;

export interface CsvDateOptions {
  /** Also accept MM/DD/YYYY (Kith's extract layouts do; HUD's HMIS CSV does not). */
  allowUsFormat?: boolean;
}

/** A calendar date in a CSV column: YYYY-MM-DD (and MM/DD/YYYY when allowed). */
export function parseCsvDate(raw: string, options: CsvDateOptions = {}): DateResult {
  const text = raw.trim();
  let y: number, mo: number, d: number;
  const iso = ISO_DATE.exec(text);
  const us = options.allowUsFormat ? US_DATE.exec(text) : null;
  if (iso) [y, mo, d] = [+iso[1], +iso[2], +iso[3]];
  else if (us) [mo, d, y] = [+us[1], +us[2], +us[3]];
  else
    return {
      ok: false,
      problem: `${q(raw)} is not a date (expected ${options.allowUsFormat ? 'YYYY-MM-DD or MM/DD/YYYY' : 'YYYY-MM-DD'})`,
    };
  const calendar = checkCalendar(y, mo, d);
  if (calendar) return { ok: false, problem: `${q(raw)} is not a date: ${calendar}` };
  const date = `${String(y).padStart(4, '0')}-${pad(mo)}-${pad(d)}`;
  return { ok: true, value: date, date, hasTime: false };
}

/** A date-time in a CSV column: 'YYYY-MM-DD HH:MM[:SS]' (or with T / an explicit offset). */
export function parseCsvDateTime(
  raw: string,
  timeZone: string = DEFAULT_TIME_ZONE,
  options: CsvDateOptions = {},
): DateResult {
  const text = raw.trim();
  const m = ISO_DATE_TIME.exec(text);
  if (!m) {
    // A bare date is an acceptable (less precise) date-time.
    const asDate = parseCsvDate(text, options);
    if (asDate.ok) return asDate;
    return { ok: false, problem: `${q(raw)} is not a date-time (expected YYYY-MM-DD HH:MM:SS)` };
  }
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const calendar = checkCalendar(+y, +mo, +d);
  if (calendar) return { ok: false, problem: `${q(raw)} is not a date-time: ${calendar}` };
  const clock = checkClock(+h, +mi, s === undefined ? 0 : +s);
  if (clock) return { ok: false, problem: `${q(raw)} is not a date-time: ${clock}` };
  const offset =
    tz === 'Z' ? 'Z' : (tz ?? zoneOffset(timeZone, +y, +mo, +d, +h, +mi, s === undefined ? 0 : +s));
  if (offset === undefined) return { ok: false, problem: `unknown time zone ${timeZone}` };
  const date = `${y}-${mo}-${d}`;
  return {
    ok: true,
    value: `${date}T${h}:${mi}:${s ?? '00'}${frac ? `.${frac}` : ''}${offset}`,
    date,
    hasTime: true,
  };
}

function checkCalendar(y: number, mo: number, d: number): string | undefined {
  if (y < 1) return 'year 0000 does not exist';
  if (mo < 1 || mo > 12) return `month ${pad(mo)} does not exist`;
  const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (d < 1 || d > days) return `day ${pad(d)} does not exist in ${String(y).padStart(4, '0')}-${pad(mo)}`;
  return undefined;
}

function checkClock(h: number, mi: number, s: number): string | undefined {
  if (h > 23) return `hour ${pad(h)} does not exist`;
  if (mi > 59) return `minute ${pad(mi)} does not exist`;
  if (s > 59) return `second ${pad(s)} does not exist`;
  return undefined;
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const pad = (n: number): string => String(n).padStart(2, '0');
const q = (s: string): string => `'${s.length > 40 ? `${s.slice(0, 37)}...` : s}'`;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/**
 * Offsets by zone and quarter hour (UTC): formatToParts costs ~70 µs a call, and a feed's timestamps
 * cluster. A quarter hour is cached only when its first and last instants have the same offset (a
 * zone changes its offset at most once in it), so a cached offset is exact.
 */
const QUARTER = 15 * 60_000;
const offsets = new Map<string, number | undefined>();

function offsetMinutesAt(timeZone: string, epochMs: number): number | undefined {
  const bucket = Math.floor(epochMs / QUARTER);
  const key = `${timeZone}\u0000${bucket}`;
  if (offsets.has(key)) return offsets.get(key);
  const start = computeOffsetMinutes(timeZone, bucket * QUARTER);
  const end = computeOffsetMinutes(timeZone, bucket * QUARTER + QUARTER - 1);
  if (start !== end) return computeOffsetMinutes(timeZone, epochMs);
  if (offsets.size >= 10_000) offsets.clear();
  offsets.set(key, start);
  return start;
}

function computeOffsetMinutes(timeZone: string, epochMs: number): number | undefined {
  let fmt = formatters.get(timeZone);
  if (fmt === undefined) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      fmt = null;
    }
    formatters.set(timeZone, fmt);
  }
  if (!fmt) return undefined;
  const name = fmt.formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]);
}

/** The `+hh:mm` offset of a wall-clock time in an IANA zone (DST-aware; the later offset wins in a gap). */
export function zoneOffset(
  timeZone: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
): string | undefined {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = offsetMinutesAt(timeZone, wall);
  if (first === undefined) return undefined;
  // The offset at the guessed instant may differ across a DST change: look again at the corrected instant.
  const minutes = offsetMinutesAt(timeZone, wall - first * 60_000) ?? first;
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
