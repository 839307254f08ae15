import { FhirError } from '../../fhir/errors';
import type { SqlParams } from '../../store/search/params';

export const EARTH_RADIUS_KM = 6371.0088;
/** The distance `near` assumes when the client gives none (FHIR leaves it to the server). */
export const DEFAULT_NEAR_KM = 25;

export interface NearQuery {
  lat: number;
  lon: number;
  km: number;
}

const UNIT_KM: Record<string, number> = {
  km: 1,
  m: 0.001,
  mi: 1.609344,
  '[mi_i]': 1.609344,
  '[mi_us]': 1.609347,
};

/** Parses FHIR `near` (`lat|long|distance|unit`, distance and unit optional; unit defaults to km). */
export function parseNear(value: string): NearQuery {
  const [latS, lonS, distS, unitS] = value.split('|');
  const lat = Number(latS);
  const lon = Number(lonS);
  if (
    !latS ||
    !lonS ||
    !Number.isFinite(lat) ||
    !Number.isFinite(lon) ||
    Math.abs(lat) > 90 ||
    Math.abs(lon) > 180
  ) {
    throw new FhirError(
      'invalid_search',
      `near must be latitude|longitude[|distance|unit], not '${value}'`,
      'near',
    );
  }
  let km = DEFAULT_NEAR_KM;
  if (distS) {
    const d = Number(distS);
    const factor = UNIT_KM[unitS || 'km'];
    if (!Number.isFinite(d) || d < 0)
      throw new FhirError('invalid_search', `near distance '${distS}' is not a number`, 'near');
    if (factor === undefined) {
      throw new FhirError(
        'invalid_search',
        `near unit '${unitS}' is not one of ${Object.keys(UNIT_KM).join(', ')}`,
        'near',
      );
    }
    km = d * factor;
  }
  return { lat, lon, km };
}

/** Great-circle distance in km (haversine), for ranking in code and in tests. */
export function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function validPosition(lat: unknown, lon: unknown): boolean {
  return typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}

/**
 * SQL pieces for a `near` over table alias `alias` (columns lat, lon): a bounding box the
 * (lat, lon) index can use, and the exact haversine distance in km.
 */
export function nearSql(q: NearQuery, p: SqlParams, alias = 'lp'): { box: string; distance: string } {
  const dLat = q.km / 111.0;
  const cos = Math.cos((q.lat * Math.PI) / 180);
  const dLon = cos < 1e-6 ? 180 : Math.min(180, q.km / (111.32 * cos));
  const lat = p.add(q.lat);
  const lon = p.add(q.lon);
  const box = [
    `${alias}.lat between ${p.add(q.lat - dLat)}::float8 and ${p.add(q.lat + dLat)}::float8`,
    dLon >= 180
      ? 'true'
      : `${alias}.lon between ${p.add(q.lon - dLon)}::float8 and ${p.add(q.lon + dLon)}::float8`,
  ].join(' and ');
  const distance = `(2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(power(sin(radians(${alias}.lat - ${lat}::float8) / 2), 2) + cos(radians(${lat}::float8)) * cos(radians(${alias}.lat)) * power(sin(radians(${alias}.lon - ${lon}::float8) / 2), 2)))))`;
  return { box, distance };
}
