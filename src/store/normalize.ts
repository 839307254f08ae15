/** Lower-cases and strips accents so `name=jose` finds "José": FHIR string search is accent/case blind. */
export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/** Escapes LIKE wildcards in a user-supplied value. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => '\\' + c);
}

export interface DateRange {
  low: string;
  high: string;
}

const DATE_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The instant range a FHIR date/dateTime/instant covers at its precision: `2020` spans the whole
 * year. `high` is exclusive. Values without a zone are read as UTC.
 */
export function dateRange(value: string): DateRange | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  if (!validParts(year, mo, d, h, mi, s)) return undefined;
  const zone = tz ?? 'Z';
  if (!mo) return { low: iso(year, 1, 1), high: iso(year + 1, 1, 1) };
  const month = Number(mo);
  if (!d) return { low: iso(year, month, 1), high: iso(year, month + 1, 1) };
  const day = Number(d);
  if (!h) return { low: iso(year, month, day), high: iso(year, month, day + 1) };
  const base = `${y}-${mo}-${d}T${h}:${mi}`;
  if (!s) {
    const low = new Date(`${base}:00${zone}`);
    return { low: low.toISOString(), high: new Date(low.getTime() + 60_000).toISOString() };
  }
  const low = new Date(`${base}:${s}${frac ?? ''}${zone}`);
  if (Number.isNaN(low.getTime())) return undefined;
  const step = frac ? Math.pow(10, 3 - Math.min(3, frac.length - 1)) : 1000;
  return { low: low.toISOString(), high: new Date(low.getTime() + step).toISOString() };
}

/**
 * Whether `dateRange` reads the value: the same answer (and the same throw, for a time whose
 * offset Date cannot parse), without building the range's ISO strings, on validation's hot path.
 */
export function isDateValue(value: string): boolean {
  const m = DATE_RE.exec(value.trim());
  if (!m) return false;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (!validParts(Number(y), mo, d, h, mi, s)) return false;
  if (!h) return true;
  const parsed = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${s ? (frac ?? '') : ''}${tz ?? 'Z'}`);
  return Number.isNaN(parsed) ? dateRange(value) !== undefined : true;
}

/** Rejects calendar values that Date would silently roll over (month 13, 31 April, 25:00). */
function validParts(year: number, mo?: string, d?: string, h?: string, mi?: string, s?: string): boolean {
  const month = Number(mo ?? 1);
  if (month < 1 || month > 12) return false;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  const day = Number(d ?? 1);
  if (day < 1 || day > days) return false;
  return Number(h ?? 0) < 24 && Number(mi ?? 0) < 60 && Number(s ?? 0) <= 60; // 60: a leap second
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function iso(year: number, month: number, day: number): string {
  // setUTCFullYear, unlike Date.UTC, keeps years below 100 as written; month 13 rolls into the next year.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.toISOString();
}

/** The implicit range of a decimal at its precision: `100` covers [99.5, 100.5). */
export function numberRange(value: string): { low: number; high: number } | undefined {
  const trimmed = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  const mantissa = trimmed.split(/[eE]/)[0];
  const exp = trimmed.includes('e') || trimmed.includes('E') ? Number(trimmed.split(/[eE]/)[1]) : 0;
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  const half = 0.5 * Math.pow(10, exp - decimals);
  return { low: n - half, high: n + half };
}
