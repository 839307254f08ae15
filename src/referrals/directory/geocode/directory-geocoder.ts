import type { Location } from '@medplum/fhirtypes';
import type { Queryable } from '../../../store';
import {
  normalizeCity,
  normalizePostalCode,
  normalizeState,
  standardizeAddress,
} from '../../../identity/normalize/address';
import { distanceKm } from '../geo';
import { parseAddress, type GeocodeResult, type Geocoder } from './geocoder';

/** Deleted Locations keep their row (deletes run no index hooks): only live ones count. */
const LIVE = `exists (select 1 from fhir_resources r where r.resource_type = 'Location' and r.id = a.id and not r.deleted)`;

/** Rows of one address farther apart than this (km) are different places: the address is ambiguous. */
const SAME_PLACE_KM = 1;

/** The `location_address` row of a Location with a position: its address in standardized form. */
export function locationAddressKey(loc: Location): {
  number: string;
  line: string;
  city: string;
  state: string;
  zip: string;
} {
  const a = loc.address;
  const std = standardizeAddress(a?.line?.[0] ?? a?.text?.split(',')[0]);
  return {
    number: std.number,
    line: std.line,
    city: normalizeCity(a?.city),
    state: normalizeState(a?.state),
    zip: normalizePostalCode(a?.postalCode),
  };
}

interface Row {
  line: string;
  city: string;
  state: string;
  zip: string;
  lat: number;
  lon: number;
}

const mean = (rows: Row[]): { lat: number; lon: number } => ({
  lat: rows.reduce((s, r) => s + r.lat, 0) / rows.length,
  lon: rows.reduce((s, r) => s + r.lon, 0) / rows.length,
});

/**
 * Locates addresses without any outside service, from the directory's own Locations (those with a
 * position): a street address some Location has (standardized as identity matching does, so "300
 * Harbor Way" = "300 HARBOR WAY" and "12 North Main Street" = "12 N Main St"), narrowed by ZIP code,
 * city and state when given; else the middle of the Locations at the ZIP code; else at the city.
 */
export class DirectoryGeocoder implements Geocoder {
  readonly name = 'directory';
  constructor(private readonly db: Queryable) {}

  async geocode(text: string): Promise<GeocodeResult | undefined> {
    const a = parseAddress(text);
    if (!a.text) return undefined;
    if (a.number && a.lines.length) {
      const { rows } = await this.db.query<Row>(
        `select a.line, a.city, a.state, a.zip, a.lat, a.lon from location_address a
         where a.number = $1 and a.line = any($2::text[]) and ${LIVE}`,
        [a.number, a.lines],
      );
      let found = rows as Row[];
      for (const [key, want] of [
        ['zip', a.zip],
        ['city', a.city],
        ['state', a.state],
      ] as const) {
        if (want && found.some((r) => r[key] === want)) found = found.filter((r) => r[key] === want);
        else if (want && found.some((r) => r[key])) found = found.filter((r) => !r[key]);
      }
      // The longest street line that matched is the street (the rest of the words were the city).
      const longest = Math.max(0, ...found.map((r) => r.line.length));
      found = found.filter((r) => r.line.length === longest);
      if (found.length) {
        const p = mean(found);
        if (found.every((r) => distanceKm(p.lat, p.lon, r.lat, r.lon) <= SAME_PLACE_KM)) {
          const r = found[0];
          const place = [r.line, r.city, [r.state, r.zip].filter(Boolean).join(' ')].filter(Boolean);
          return { ...p, precision: 'address', source: 'directory', matched: place.join(', ') };
        }
      }
    }
    if (a.zip) {
      const p = await this.middle('a.zip = $1', [a.zip]);
      if (p) return { ...p, precision: 'zip', source: 'directory', matched: `ZIP code ${a.zip}` };
    }
    if (a.city) {
      const p = await this.middle(a.state ? 'a.city = $1 and a.state = $2' : 'a.city = $1', [
        a.city,
        ...(a.state ? [a.state] : []),
      ]);
      if (p)
        return {
          ...p,
          precision: 'city',
          source: 'directory',
          matched: a.state ? `${a.city}, ${a.state}` : a.city,
        };
    }
    return undefined;
  }

  private async middle(where: string, params: string[]): Promise<{ lat: number; lon: number } | undefined> {
    const { rows } = await this.db.query<{ lat: number | null; lon: number | null }>(
      `select avg(a.lat)::float8 as lat, avg(a.lon)::float8 as lon from location_address a where ${where} and ${LIVE}`,
      params,
    );
    const r = rows[0];
    return r && r.lat !== null && r.lon !== null ? { lat: Number(r.lat), lon: Number(r.lon) } : undefined;
  }
}
