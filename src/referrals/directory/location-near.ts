import type { Location } from '@medplum/fhirtypes';
import type { FhirStore, WriteResult } from '../../store';
import { registerSpecialSearch } from '../../store/search/special';
import type { SqlParams } from '../../store/search/params';
import type { SearchFilter } from '../../store';
import { nearSql, parseNear, validPosition } from './geo';
import { locationAddressKey } from './geocode/directory-geocoder';

/**
 * Keeps `location_position` (Location.position) and `location_address` (its standardized address,
 * for the directory geocoder) in step, in the write's transaction.
 */
export async function indexLocationPosition(store: FhirStore, result: WriteResult): Promise<void> {
  if (result.resource.resourceType !== 'Location') return;
  const loc = result.resource as Location;
  const lat = loc.position?.latitude;
  const lon = loc.position?.longitude;
  if (validPosition(lat, lon)) {
    await store.queryable.query(
      `insert into location_position (id, lat, lon) values ($1, $2, $3)
       on conflict (id) do update set lat = excluded.lat, lon = excluded.lon`,
      [loc.id, lat, lon],
    );
    const k = locationAddressKey(loc);
    await store.queryable.query(
      `insert into location_address (id, number, line, city, state, zip, lat, lon)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (id) do update set number = excluded.number, line = excluded.line, city = excluded.city,
         state = excluded.state, zip = excluded.zip, lat = excluded.lat, lon = excluded.lon`,
      [loc.id, k.number, k.line, k.city, k.state, k.zip, lat, lon],
    );
  } else if (!result.created) {
    await store.queryable.query('delete from location_position where id = $1', [loc.id]);
    await store.queryable.query('delete from location_address where id = $1', [loc.id]);
  }
}

/** `Location?near=lat|long|distance|unit`: ids within the distance, from `location_position`. */
export function locationNearIds(
  _resourceType: string,
  filter: Extract<SearchFilter, { kind: 'param' }>,
  p: SqlParams,
): { sql: string; negate: boolean } {
  const parts = filter.values.map((v) => {
    const q = parseNear(v);
    const { box, distance } = nearSql(q, p);
    return `select lp.id from location_position lp where ${box} and ${distance} <= ${p.add(q.km)}::float8`;
  });
  return { sql: parts.join(' union '), negate: false };
}

export function registerLocationNear(): void {
  registerSpecialSearch('Location', 'near', locationNearIds);
}
