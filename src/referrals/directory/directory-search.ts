import type { Bundle, BundleEntry, HealthcareService, Location, OperationOutcome } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import { SqlParams, type Queryable } from '../../store';
import { splitValues } from '../../fhir/search/parse';
import { nearSql, parseNear, type NearQuery } from './geo';
import { directoryTimeZone, minuteOfWeek } from './open-hours';
import { EXT_LOCATION_DISTANCE } from './extensions';
import { effectiveAcceptsSql, withAcceptsFlag } from './on-kith';

export interface DirectoryQuery {
  near?: NearQuery;
  /** Any of these category / type codes (`system|code` or `code` or the text). */
  codes?: string[];
  /** Words that must all appear in the name, description, category or type (stemmed, prefix). */
  text?: string;
  languages?: string[];
  eligibility?: string[];
  programs?: string[];
  /** The client's age in years: services whose age range excludes it are left out. */
  age?: number;
  /** Only services open at this instant (on the directory's clock). */
  openAt?: Date;
  acceptsReferrals?: boolean;
  /** Include inactive services (default: active only). */
  includeInactive?: boolean;
  count?: number;
  offset?: number;
}

export interface DirectoryHit {
  id: string;
  /** Distance in km to the nearest of the service's locations, when searched near a point. */
  distanceKm?: number;
  service: HealthcareService;
}

export interface DirectoryResult {
  total: number;
  hits: DirectoryHit[];
  locations: Location[];
}

const MAX_COUNT = 200;

/** Ranked directory search: by distance when near a point, else by text rank and name. */
export async function searchDirectory(db: Queryable, q: DirectoryQuery): Promise<DirectoryResult> {
  const p = new SqlParams();
  const conds: string[] = [];
  if (!q.includeInactive) conds.push('s.active');
  const lower = (xs: string[]): string[] => xs.map((x) => x.toLowerCase());
  if (q.codes?.length) conds.push(`s.codes && ${p.add(lower(q.codes))}::text[]`);
  if (q.languages?.length) conds.push(`s.languages && ${p.add(lower(q.languages))}::text[]`);
  if (q.eligibility?.length) conds.push(`s.eligibility && ${p.add(lower(q.eligibility))}::text[]`);
  if (q.programs?.length) conds.push(`s.programs && ${p.add(lower(q.programs))}::text[]`);
  // Whether a service takes electronic referrals is worked out now, not read from when it was stored.
  const accepts = effectiveAcceptsSql('s');
  if (q.acceptsReferrals !== undefined) conds.push(`${accepts} = ${p.add(q.acceptsReferrals)}::boolean`);
  if (q.age !== undefined) {
    const age = p.add(q.age);
    conds.push(
      `(s.min_age is null or s.min_age <= ${age}::numeric) and (s.max_age is null or s.max_age >= ${age}::numeric)`,
    );
  }
  if (q.openAt) conds.push(`s.open_week @> ${p.add(minuteOfWeek(q.openAt, directoryTimeZone()))}::int`);
  let tsq: string | undefined;
  const words = (q.text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length) {
    tsq = `to_tsquery('english', ${p.add(words.map((w) => `${w}:*`).join(' & '))})`;
    conds.push(`s.search @@ ${tsq}`);
  }
  conds.push(
    `exists (select 1 from fhir_resources r where r.resource_type = 'HealthcareService' and r.id = s.id and not r.deleted)`,
  );
  const count = Math.min(MAX_COUNT, q.count ?? 20);
  const offset = q.offset ?? 0;
  let sql: string;
  if (q.near) {
    // The Locations in the box are few; each is looked up in directory_service_location by its
    // index (the lateral subquery with offset 0 keeps the planner from hashing the whole table).
    const { box, distance } = nearSql(q.near, p);
    sql = `select s.id, min(${distance}) as dist, ${accepts} as accepts, count(*) over () as total
      from location_position lp
      join lateral (select sl.service_id from directory_service_location sl where sl.location_id = lp.id offset 0) sl on true
      join directory_service s on s.id = sl.service_id
      where ${box} and ${distance} <= ${p.add(q.near.km)}::float8 and ${conds.join(' and ')}
      group by s.id
      order by dist, s.id limit ${p.add(count)} offset ${p.add(offset)}`;
  } else {
    const order = tsq ? `ts_rank(s.search, ${tsq}) desc, s.name, s.id` : 's.name, s.id';
    sql = `select s.id, null::float8 as dist, ${accepts} as accepts, count(*) over () as total from directory_service s
      where ${conds.join(' and ')} order by ${order} limit ${p.add(count)} offset ${p.add(offset)}`;
  }
  const { rows } = await db.query(sql, p.values);
  const ids = rows.map((r) => r.id as string);
  const total = rows.length ? Number(rows[0].total) : 0;
  const docs = ids.length
    ? (
        await db.query(
          `select id, content::text as json from fhir_resources where resource_type = 'HealthcareService' and id = any($1::text[])`,
          [ids],
        )
      ).rows
    : [];
  const byId = new Map(docs.map((d) => [d.id as string, JSON.parse(d.json) as HealthcareService]));
  const hits: DirectoryHit[] = rows
    .filter((r) => byId.has(r.id))
    .map((r) => ({
      id: r.id,
      service: withAcceptsFlag(byId.get(r.id) as HealthcareService, r.accepts === true),
      ...(r.dist !== null && r.dist !== undefined ? { distanceKm: Number(r.dist) } : {}),
    }));
  const locIds = [
    ...new Set(
      hits.flatMap((h) =>
        (h.service.location ?? [])
          .map((l) => /^Location\/([^/]+)$/.exec(l.reference ?? '')?.[1])
          .filter((x): x is string => !!x),
      ),
    ),
  ];
  const locations = locIds.length
    ? (
        await db.query(
          `select content::text as json from fhir_resources where resource_type = 'Location' and id = any($1::text[]) and not deleted`,
          [locIds],
        )
      ).rows.map((r) => JSON.parse(r.json) as Location)
    : [];
  return { total, hits, locations };
}

type Q = Record<string, string | string[] | undefined>;

function all(q: Q, ...names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const v = q[n];
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.push(...splitValues(x));
  }
  return out;
}

function one(q: Q, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function bool(q: Q, name: string): boolean | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false')
    throw new FhirError('invalid_search', `${name} must be true or false`, name);
  return v === 'true';
}

function num(q: Q, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new FhirError('invalid_search', `${name} must be a number, not '${v}'`, name);
  return n;
}

/** Reads a DirectoryQuery from query parameters (or a Parameters body flattened to the same names). */
export function directoryQueryFrom(q: Q): DirectoryQuery {
  const out: DirectoryQuery = {};
  const near = one(q, 'near');
  const lat = one(q, 'lat') ?? one(q, 'latitude');
  const lon = one(q, 'long') ?? one(q, 'longitude');
  if (near) out.near = parseNear(near);
  else if (lat !== undefined && lon !== undefined) {
    out.near = parseNear(`${lat}|${lon}|${one(q, 'distance') ?? ''}|${one(q, 'unit') ?? ''}`);
  }
  const codes = all(q, 'category', 'service-category', 'service-type', 'type');
  if (codes.length) out.codes = codes;
  const text = [one(q, 'text'), one(q, 'keyword'), one(q, '_text')].filter(Boolean).join(' ');
  if (text) out.text = text;
  const languages = all(q, 'language');
  if (languages.length) out.languages = languages;
  const eligibility = all(q, 'eligibility');
  if (eligibility.length) out.eligibility = eligibility;
  const programs = all(q, 'program');
  if (programs.length) out.programs = programs;
  out.age = num(q, 'age');
  const openNow = bool(q, 'open-now');
  const at = one(q, 'at');
  if (at) {
    const t = Date.parse(at);
    if (Number.isNaN(t)) throw new FhirError('invalid_search', `at must be a dateTime, not '${at}'`, 'at');
    out.openAt = new Date(t);
  } else if (openNow) out.openAt = new Date();
  out.acceptsReferrals = bool(q, 'accepts-referrals');
  out.includeInactive = bool(q, 'include-inactive');
  out.count = num(q, '_count');
  out.offset = num(q, '_offset');
  return out;
}

/**
 * The result as a searchset Bundle: services (with their distance) then their locations, then an
 * `outcome` entry when there is one (where the searched address was located).
 */
export function directoryBundle(base: string, result: DirectoryResult, outcome?: OperationOutcome): Bundle {
  const entry: BundleEntry[] = result.hits.map((h) => ({
    fullUrl: `${base}/HealthcareService/${h.id}`,
    resource: h.service,
    search: {
      mode: 'match',
      ...(h.distanceKm !== undefined
        ? {
            extension: [
              {
                url: EXT_LOCATION_DISTANCE,
                valueDistance: {
                  value: Math.round(h.distanceKm * 1000) / 1000,
                  unit: 'km',
                  system: 'http://unitsofmeasure.org',
                  code: 'km',
                },
              },
            ],
          }
        : {}),
    },
  }));
  for (const loc of result.locations) {
    entry.push({ fullUrl: `${base}/Location/${loc.id}`, resource: loc, search: { mode: 'include' } });
  }
  if (outcome) entry.push({ resource: outcome, search: { mode: 'outcome' } });
  return { resourceType: 'Bundle', type: 'searchset', total: result.total, entry };
}
