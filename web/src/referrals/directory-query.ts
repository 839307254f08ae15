import type { SearchParams } from '../fhir/client';

/** What a directory search asks, as kept in the page URL (so results can be bookmarked and Back works). */
export interface DirectoryCriteria {
  /** Need or service words: name, description, category and taxonomy term text. */
  need: string;
  /** A category or taxonomy code (`code` or `system|code`). */
  category: string;
  /** Where from: an address or "latitude, longitude". */
  near: string;
  /** Miles from `near`. */
  miles: number;
  openNow: boolean;
  /** A BCP-47 language code ("es") or name. */
  language: string;
  /** The client's age in years (as typed): services whose age range excludes it are left out. */
  age: string;
  /** An eligibility program (its code or name), such as "calfresh". */
  program: string;
  acceptsReferrals: boolean;
  view: 'list' | 'map';
  offset: number;
}

export const DEFAULT_MILES = 10;
export const PAGE_SIZE = 20;

export function criteriaFromQuery(q: URLSearchParams): DirectoryCriteria {
  const miles = Number(q.get('miles'));
  const offset = Number(q.get('offset'));
  return {
    need: q.get('need') ?? '',
    category: q.get('category') ?? '',
    near: q.get('near') ?? '',
    miles: Number.isFinite(miles) && miles > 0 ? miles : DEFAULT_MILES,
    openNow: q.get('open') === '1',
    language: q.get('language') ?? '',
    age: q.get('age') ?? '',
    program: q.get('program') ?? '',
    acceptsReferrals: q.get('accepts') === '1',
    view: q.get('view') === 'map' ? 'map' : 'list',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The URL query for criteria, leaving out defaults. */
export function criteriaToQuery(c: DirectoryCriteria): Record<string, string | number | undefined> {
  return {
    need: c.need.trim() || undefined,
    category: c.category.trim() || undefined,
    near: c.near.trim() || undefined,
    miles: c.near.trim() && c.miles !== DEFAULT_MILES ? c.miles : undefined,
    open: c.openNow ? '1' : undefined,
    language: c.language.trim() || undefined,
    age: ageYears(c.age)?.toString(),
    program: c.program.trim() || undefined,
    accepts: c.acceptsReferrals ? '1' : undefined,
    view: c.view === 'map' ? 'map' : undefined,
    offset: c.offset || undefined,
  };
}

export function hasCriteria(c: DirectoryCriteria): boolean {
  return !!(
    c.need.trim() ||
    c.category.trim() ||
    c.near.trim() ||
    c.language.trim() ||
    ageYears(c.age) !== undefined ||
    c.program.trim() ||
    c.openNow ||
    c.acceptsReferrals
  );
}

/** An age in whole years (0–130) from what was typed; undefined when it is not one. */
export function ageYears(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= 130 ? n : undefined;
}

export interface Point {
  lat: number;
  long: number;
}

/** "37.8, -122.27" (or with a space) as a point; undefined when the text is not a coordinate pair on Earth. */
export function parsePoint(text: string): Point | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const lat = Number(m[1]);
  const long = Number(m[2]);
  if (Math.abs(lat) > 90 || Math.abs(long) > 180) return undefined;
  return { lat, long };
}

/**
 * Parameters of `HealthcareService/$directory-search` for the criteria: a coordinate pair is sent as
 * `near`; any other place (street address, ZIP code, city) as `address`, located by the server, which
 * says at which precision in the answer's outcome entry.
 */
export function directorySearchParams(c: DirectoryCriteria): SearchParams {
  const near = c.near.trim();
  const point = near ? parsePoint(near) : undefined;
  return {
    text: c.need.trim() || undefined,
    category: c.category.trim() || undefined,
    near: point ? `${point.lat}|${point.long}|${c.miles}|mi` : undefined,
    address: near && !point ? near : undefined,
    distance: near && !point ? c.miles : undefined,
    unit: near && !point ? 'mi' : undefined,
    'open-now': c.openNow ? 'true' : undefined,
    language: c.language.trim().toLowerCase() || undefined,
    age: ageYears(c.age),
    program: c.program.trim() || undefined,
    'accepts-referrals': c.acceptsReferrals ? 'true' : undefined,
    _count: PAGE_SIZE,
    _offset: c.offset || undefined,
  };
}
